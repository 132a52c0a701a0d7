"""Deploying the packaged stack: ``make deploy-local`` into the ministack AWS emulator."""
