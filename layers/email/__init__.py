"""Email: templates with HTML and plain-text parts, and an SES sender."""
