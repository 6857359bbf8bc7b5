"""Building a client from settings: the token, TLS against the PE CA, http only on loopback."""

from __future__ import annotations

import ipaddress
import logging
import ssl
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from config import ConfigError
from orchestrator.classifier import ClassifierClient
from orchestrator.client import OrchestratorClient
from orchestrator.puppetdb import PuppetDBClient
from orchestrator.rbac import RbacClient

log = logging.getLogger(__name__)

LOOPBACK_NAMES = frozenset({"localhost"})


class ConnectionSettingsError(ConfigError):
    """The orchestrator URL, token or CA certificate setting cannot be used."""


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_token(token: str | None, token_file: str | None) -> str:
    """The RBAC token from PE_RBAC_TOKEN, or else the file PE_RBAC_TOKEN_FILE names."""
    if token:
        return token.strip()
    if not token_file:
        raise ConnectionSettingsError(
            "PE_RBAC_TOKEN or PE_RBAC_TOKEN_FILE must be set: run `puppet access login` and "
            "point PE_RBAC_TOKEN_FILE at ~/.puppetlabs/token"
        )
    path = Path(token_file).expanduser()
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConnectionSettingsError(
            f"PE_RBAC_TOKEN_FILE: cannot read {path} ({exc.strerror})"
        ) from None
    if not value:
        raise ConnectionSettingsError(f"PE_RBAC_TOKEN_FILE: {path} is empty")
    return value


def tls_verification(
    url: str, ca_cert: str | None, setting: str = "PE_ORCHESTRATOR_URL"
) -> ssl.SSLContext | bool:
    """What httpx should verify with: the PE CA for https; nothing for a loopback simulator."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        if not ca_cert:
            raise ConnectionSettingsError(
                f"PE_CA_CERT must name the PE CA certificate to verify the TLS of {setting} "
                "(on the primary: /etc/puppetlabs/puppet/ssl/certs/ca.pem)"
            )
        try:
            return ssl.create_default_context(cafile=str(Path(ca_cert).expanduser()))
        except (OSError, ssl.SSLError) as exc:
            raise ConnectionSettingsError(f"PE_CA_CERT: cannot load {ca_cert} ({exc})") from None
    if parts.scheme == "http" and is_loopback(parts.hostname or ""):
        log.warning(
            "%s is plain http on %s: fine for the local simulator, never for a real PE server",
            setting,
            parts.hostname,
        )
        return False
    raise ConnectionSettingsError(
        f"{setting} must be https://<primary>:<port> (plain http is allowed only on "
        f"loopback, for the simulator); got {parts.scheme or 'no'} scheme on {parts.hostname!r}"
    )


def _http(
    url: str, ca_cert: str | None, timeout: float, max_connections: int, setting: str
) -> httpx.Client:
    return httpx.Client(
        verify=tls_verification(url, ca_cert, setting),
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=32),
    )


def connect(
    url: str,
    *,
    token: str,
    ca_cert: str | None = None,
    timeout: float = 10.0,
    max_connections: int = 64,
) -> OrchestratorClient:
    """A client for `url` with TLS verified against `ca_cert`; raises ConnectionSettingsError."""
    http = _http(url, ca_cert, timeout, max_connections, "PE_ORCHESTRATOR_URL")
    return OrchestratorClient(http, url, token)


def connect_puppetdb(
    url: str | None, *, token: str, ca_cert: str | None = None, timeout: float = 10.0
) -> PuppetDBClient | None:
    """PuppetDB at PUPPETDB_URL, TLS verified as for the orchestrator; None when `off`."""
    if url is None:
        return None
    return PuppetDBClient(_http(url, ca_cert, timeout, 16, "PUPPETDB_URL"), url, token)


def connect_classifier(
    url: str | None, *, token: str, ca_cert: str | None = None, timeout: float = 10.0
) -> ClassifierClient | None:
    """The classifier at PE_CLASSIFIER_URL, TLS verified as for the orchestrator; None when off."""
    if url is None:
        return None
    return ClassifierClient(_http(url, ca_cert, timeout, 8, "PE_CLASSIFIER_URL"), url, token)


def connect_rbac(url: str, *, ca_cert: str | None = None, timeout: float = 10.0) -> RbacClient:
    """PE's RBAC API at PE_RBAC_URL (default: `rbac.default_rbac_url` of the orchestrator's),
    TLS verified against the PE CA as for the orchestrator; raises ConnectionSettingsError."""
    return RbacClient(_http(url, ca_cert, timeout, 8, "PE_RBAC_URL"), url)
