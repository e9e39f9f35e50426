"""Adapters carry the service onto a platform; they translate and decide nothing."""
