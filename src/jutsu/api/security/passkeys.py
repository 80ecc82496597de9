"""WebAuthn ceremonies with py_webauthn (platform.md §4.4), as four small functions.

The caller stores the challenge server-side (``auth_challenges``) and passes it back for
verification; this module never keeps state. Any verification failure raises
:class:`PasskeyError` with a message safe to show (no library internals).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

__all__ = [
    "PasskeyError",
    "RegisteredCredential",
    "RelyingParty",
    "authentication_options",
    "credential_id_of",
    "registration_options",
    "verify_authentication",
    "verify_registration",
]


class PasskeyError(Exception):
    """A WebAuthn response failed verification."""


@dataclass(frozen=True, slots=True)
class RelyingParty:
    rp_id: str
    rp_name: str
    origin: str


@dataclass(frozen=True, slots=True)
class RegisteredCredential:
    credential_id: bytes
    public_key: bytes
    sign_count: int
    aaguid: str


def registration_options(
    rp: RelyingParty, *, user_id: int, username: str, exclude: list[bytes]
) -> tuple[str, bytes]:
    """Creation options JSON (resident key and user verification *preferred*) and its challenge."""
    options = generate_registration_options(
        rp_id=rp.rp_id,
        rp_name=rp.rp_name,
        user_name=username,
        user_id=str(user_id).encode("ascii"),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=c) for c in exclude],
    )
    return options_to_json(options), options.challenge


def verify_registration(rp: RelyingParty, credential_json: str, challenge: bytes) -> RegisteredCredential:
    """Verify an attestation (challenge, RP id, origin, signature) and return what to store."""
    try:
        verified = verify_registration_response(
            credential=credential_json,
            expected_challenge=challenge,
            expected_rp_id=rp.rp_id,
            expected_origin=rp.origin,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyError("Passkey registration could not be verified") from exc
    return RegisteredCredential(
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        aaguid=verified.aaguid,
    )


def authentication_options(rp: RelyingParty, allow: list[bytes]) -> tuple[str, bytes]:
    """Request options JSON for the user's credentials and its challenge."""
    options = generate_authentication_options(
        rp_id=rp.rp_id,
        allow_credentials=[PublicKeyCredentialDescriptor(id=c) for c in allow],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options), options.challenge


def credential_id_of(credential_json: str) -> bytes:
    """The raw credential id of a browser credential JSON (to find the stored passkey)."""
    from webauthn import base64url_to_bytes

    try:
        data = json.loads(credential_json)
        raw = data.get("rawId") or data["id"]
        return base64url_to_bytes(str(raw))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PasskeyError("Malformed passkey credential") from exc


def verify_authentication(
    rp: RelyingParty, credential_json: str, challenge: bytes, *, public_key: bytes, sign_count: int
) -> int:
    """Verify an assertion; returns the new sign count (a non-increasing counter is rejected)."""
    try:
        verified = verify_authentication_response(
            credential=credential_json,
            expected_challenge=challenge,
            expected_rp_id=rp.rp_id,
            expected_origin=rp.origin,
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyError("Passkey authentication failed") from exc
    return int(verified.new_sign_count)
