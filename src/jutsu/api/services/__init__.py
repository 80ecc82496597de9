"""API-side services: they own the transaction and call repositories; routers call them."""
