"""One tab per generator: the form, the billed length, the live estimate, the confirmation,
the styles to choose from, the line about the latest job."""
