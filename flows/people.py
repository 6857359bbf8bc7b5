"""A person's own PE identity (PE_IDENTITY=person): signing in with a password or a pasted
token, who they are, signing out, and the live token their requests are sent with.

Secrets: a password is passed to RBAC once and kept nowhere (not stored, logged or echoed); a
token is encrypted (identity/vault.py) before it reaches the store, decrypted only to be sent,
and never logged. Failed sign-ins are limited (identity/limiter.py) per Slack user and per PE
login, so nobody can lock a colleague's PE account out through the bot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flows.pe_words import DEAD, dead, limited, plain, when
from identity.limiter import SignInLimiter
from identity.vault import TokenVault, UndecryptableToken
from orchestrator.client import OrchestratorClient
from orchestrator.errors import (
    AccountLocked,
    BadCredentials,
    InvalidToken,
    LabelInUse,
    OrchestratorError,
    TokenExpired,
    TokenRevoked,
)
from orchestrator.rbac import RbacClient, TokenInfo, new_label, parse_lifetime
from store import Store, audit, pe_tokens
from store.pe_tokens import StoredToken

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Signed:
    """A person's live PE token; `token` is the secret (out of the repr)."""

    login: str
    token: str = field(repr=False)
    expires_at: float | None
    origin: str


@dataclass(frozen=True)
class Outcome:
    """How a sign-in, whoami or sign-out went, in words to show the person (no secret)."""

    ok: bool
    message: str
    login: str | None = None


class SignInNeeded(Exception):
    """The person has no live token: they must sign in (why: `reason`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class People:
    """Signed-in people and their tokens; thread-safe through the store's transactions."""

    def __init__(
        self,
        rbac: RbacClient,
        vault: TokenVault,
        store: Store,
        *,
        clock: Callable[[], float],
        limiter: SignInLimiter | None = None,
        lifetime: str = "12h",
    ) -> None:
        parse_lifetime(lifetime)
        self.rbac = rbac
        self.vault = vault
        self.store = store
        self.clock = clock
        self.limiter = limiter or SignInLimiter(clock=clock)
        self.lifetime = lifetime
        # A restart keeps the failed-sign-in counts: PE's own count toward lockout does.
        self.limiter.restore(pe_tokens.limits(store.db))
        self._service_login: str | None = None  # asked of RBAC once (service_login)

    def __repr__(self) -> str:
        return f"People({self.rbac!r}, {self.vault!r}, lifetime={self.lifetime})"

    # -- signing in -----------------------------------------------------------------------------

    def sign_in_password(self, slack_user: str, login: str, password: str) -> Outcome:
        """Exchange a login and password for a token made for this person; the password is
        used for this one call and kept nowhere."""
        verdict = self.limiter.attempt(slack_user, login)
        if not verdict.allowed:
            self._note("pe_sign_in_failed", slack_user, login, "refused: too many failures")
            return Outcome(False, limited(verdict, login))
        self._save_limits()
        label = new_label(slack_user, self.clock())
        try:
            issued = self.rbac.login(login, password, self.lifetime, label)
        except BadCredentials:
            self._note("pe_sign_in_failed", slack_user, login, "bad credentials")
            return Outcome(False, "PE did not accept that username and password. Nothing was kept.")
        except AccountLocked:
            self._note("pe_sign_in_failed", slack_user, login, "account locked or revoked")
            return Outcome(False, f"PE says the account `{login}` is locked or revoked.")
        except LabelInUse:
            return Outcome(False, "PE refused the token's label; try again in a moment.")
        except (OrchestratorError, ValueError) as exc:
            return Outcome(False, f"PE's RBAC service could not sign you in: {plain(exc)}")
        self.limiter.succeeded(slack_user, login)
        self._save_limits()
        expires = self.clock() + parse_lifetime(self.lifetime)
        try:
            info = self.rbac.authenticate(issued.value)
            expires = info.expires.timestamp() if info.expires else expires
            login = info.login
        except OrchestratorError as exc:
            log.info("RBAC: could not read a new token's expiry (%s)", type(exc).__name__)
        self._keep(slack_user, login, issued.value, "bot", label, expires)
        return Outcome(True, f"Signed in to PE as *{login}* until {when(expires)}.", login)

    def sign_in_token(self, slack_user: str, token: str) -> Outcome:
        """Keep a token the person pasted (from `puppet access login` or the PE console), once
        PE says whose it is. The bot did not make it, so it never revokes it."""
        try:
            info = self.rbac.authenticate(token.strip())
        except DEAD as exc:
            return Outcome(False, f"PE does not accept that token ({dead(exc)}). Nothing was kept.")
        except OrchestratorError as exc:
            return Outcome(False, f"PE's RBAC service could not check the token: {plain(exc)}")
        self.limiter.reset_login(info.login)
        self._save_limits()
        expires = info.expires.timestamp() if info.expires else None
        self._keep(slack_user, info.login, token.strip(), "pasted", info.label, expires)
        until = f" until {when(expires)}" if expires else ""
        return Outcome(
            True, f"Signed in to PE as *{info.login}*{until} (a pasted token).", info.login
        )

    def _keep(
        self,
        slack_user: str,
        login: str,
        token: str,
        origin: str,
        label: str | None,
        expires: float | None,
    ) -> None:
        row = StoredToken(
            slack_user=slack_user,
            login=login,
            secret=self.vault.encrypt(token),
            origin=origin,
            label=label,
            expires_at=expires,
            created_at=self.clock(),
        )
        with self.store.write() as db:
            earlier = pe_tokens.save(db, row)
            audit.record(
                db,
                now=self.clock(),
                actor=slack_user,
                action="pe_sign_in",
                result=origin,
                detail={"pe_login": login},
            )
        if earlier is not None and earlier.origin == "bot":
            self._revoke(earlier)
        log.info("%s signed in to PE as %s (%s token)", slack_user, login, origin)

    def _note(self, action: str, slack_user: str, login: str, why: str) -> None:
        with self.store.write() as db:
            audit.record(
                db,
                now=self.clock(),
                actor=slack_user,
                action=action,
                result=why,
                detail={"pe_login": login},
            )

    def _save_limits(self) -> None:
        with self.store.write() as db:
            pe_tokens.save_limits(db, self.limiter.export(), self.clock())

    def _revoke(self, stored: StoredToken) -> bool:
        """Revoke a token the bot made; False if PE could not be asked."""
        try:
            self.rbac.revoke(self.vault.decrypt(stored.secret))
        except (TokenExpired, TokenRevoked, InvalidToken, UndecryptableToken):
            return True  # dead already: nothing to revoke
        except OrchestratorError as exc:
            log.warning("could not revoke a token of %s: %s", stored.login, type(exc).__name__)
            return False
        return True

    # -- who, and the token to send with --------------------------------------------------------

    def stored(self, slack_user: str) -> StoredToken | None:
        return pe_tokens.get(self.store.db, slack_user)

    def login_of(self, slack_user: str) -> str | None:
        """The PE login a person signed in as (not checked with PE): for the audit and policy."""
        row = self.stored(slack_user)
        return row.login if row is not None else None

    def current(self, slack_user: str, *, check: bool = True) -> Signed:
        """The person's live token; raises SignInNeeded (and forgets the token) when there is
        none, it expired, PE revoked it or it cannot be decrypted. `check` asks PE."""
        row = self.stored(slack_user)
        if row is None:
            raise SignInNeeded("you have not signed in to PE")
        if row.expires_at is not None and row.expires_at <= self.clock():
            self._forget(row)
            raise SignInNeeded("your PE token expired")
        try:
            token = self.vault.decrypt(row.secret)
        except UndecryptableToken:
            self._forget(row)
            raise SignInNeeded("your stored PE token can no longer be read") from None
        if check:
            try:
                self.rbac.authenticate(token)
            except DEAD as exc:
                self._forget(row)
                raise SignInNeeded(f"your PE token {dead(exc)}") from None
        return Signed(row.login, token, row.expires_at, row.origin)

    def service_login(self, service: OrchestratorClient) -> str | None:
        """The PE login of the service account (PE_RBAC_TOKEN), asked of RBAC once; None while
        RBAC cannot say (asked again next time)."""
        if self._service_login is None:
            try:
                self._service_login = service.login_with(self.rbac)
            except OrchestratorError as exc:
                log.info("RBAC: cannot tell who the service account is (%s)", type(exc).__name__)
        return self._service_login

    def _forget(self, row: StoredToken) -> None:
        with self.store.write() as db:
            pe_tokens.delete(db, row.slack_user, secret=row.secret)
        log.info("forgot the PE token of %s (%s): it cannot be used", row.slack_user, row.login)

    def whoami(self, slack_user: str) -> Outcome:
        row = self.stored(slack_user)
        if row is None:
            return Outcome(False, "You are not signed in to PE. Use `/pe login`.")
        try:
            info: TokenInfo = self.rbac.authenticate(self.vault.decrypt(row.secret))
        except DEAD as exc:
            self._forget(row)
            return Outcome(
                False, f"Your PE token {dead(exc)}, so it was forgotten. Use `/pe login`."
            )
        except UndecryptableToken:
            self._forget(row)
            return Outcome(False, "Your stored PE token can no longer be read. Use `/pe login`.")
        except OrchestratorError as exc:
            return Outcome(False, f"PE's RBAC service could not be asked: {plain(exc)}")
        expires = info.expires.timestamp() if info.expires else row.expires_at
        until = f"; the token expires {when(expires)}" if expires else ""
        kind = "a token the bot made" if row.origin == "bot" else "a token you pasted"
        return Outcome(True, f"You are *{info.login}* in PE ({kind}{until}).", info.login)

    def logout(self, slack_user: str) -> Outcome:
        row = self.stored(slack_user)
        if row is None:
            return Outcome(False, "You are not signed in to PE; nothing to sign out of.")
        with self.store.write() as db:
            pe_tokens.delete(db, slack_user, secret=row.secret)
            audit.record(
                db,
                now=self.clock(),
                actor=slack_user,
                action="pe_sign_out",
                result=row.origin,
                detail={"pe_login": row.login},
            )
        if row.origin == "pasted":
            return Outcome(
                True,
                f"Signed out: the bot forgot your pasted token for *{row.login}*. It was not "
                "revoked and still works elsewhere; revoke it in the PE console or with "
                "`puppet access delete-token` if you no longer need it.",
                row.login,
            )
        if self._revoke(row):
            return Outcome(
                True, f"Signed out: your PE token for *{row.login}* was revoked.", row.login
            )
        return Outcome(
            True,
            f"Signed out: the bot forgot your token for *{row.login}*, but PE could not be "
            "asked to revoke it; it expires on its own.",
            row.login,
        )

    def reencrypt(self) -> int:
        """Key rotation: rewrite every stored token under the newest key; returns how many."""
        done = 0
        for slack_user, secret in pe_tokens.secrets(self.store.db):
            if self.vault.is_current(secret):
                continue
            try:
                fresh = self.vault.rotate(secret)
            except UndecryptableToken:  # deleted when next used; its owner signs in again
                log.warning("the stored PE token of %s cannot be read with any key", slack_user)
                continue
            with self.store.write() as db:
                done += pe_tokens.replace_secret(db, slack_user, secret, fresh)
        return done
