"""`/v1/keys`: make, list and revoke API keys (admin scope; `sitrep keys` does the same straight on Redis).

Plain `def` routes on the blocking client, shared with the CLI; not on the ingest hot path.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from core import api_keys
from core.api_keys import ApiKey, ApiKeyIn, NewApiKey
from core.errors import KeyLimitReached
from services.api.deps import SyncRedisDep

router = APIRouter(prefix="/v1/keys", tags=["keys"])


@router.post("", status_code=status.HTTP_201_CREATED, responses={409: {"description": "Too many active keys"}})
def create_key(spec: ApiKeyIn, request: Request, connection: SyncRedisDep) -> NewApiKey:
    """A new key with these scopes. The answer is the only place the key is ever shown."""
    try:
        made = api_keys.create(connection, spec)
    except KeyLimitReached as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    request.app.state.auth.forget()
    return made


@router.get("")
def list_keys(connection: SyncRedisDep) -> list[ApiKey]:
    """Active keys (ids, names, scopes; never the keys)."""
    return api_keys.list_active(connection)


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_key(key_id: str, request: Request, connection: SyncRedisDep) -> Response:
    """Revoke a key: this API refuses it at once, other API processes within a second."""
    if api_keys.revoke(connection, key_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no API key {key_id!r}")
    request.app.state.auth.forget()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
