"""A batch of product URLs: the rows as a table and the sheet that prices and sends them."""
