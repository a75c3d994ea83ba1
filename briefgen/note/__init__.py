"""The note: the model of its tables, boxes and marks, and the HTML made from it with Jinja."""
