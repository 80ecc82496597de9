"""One module per API area; each declares ``router = APIRouter(prefix=..., tags=[...])``."""
