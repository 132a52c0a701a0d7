"""Authentication: passwords, access and refresh tokens, email verification, Google sign-in."""
