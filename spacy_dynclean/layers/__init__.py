"""Model layers (thinc) that the shipped configs build on."""
