"""Import-time savings for the ``vtctl`` process (installed by ``entry.main`` only).

Two libraries import far more than vtctl uses.  These hooks only take effect
in the command-line process: importing ``vtctl`` as a library changes nothing.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any


def install() -> None:
    skip_httpx_cli()
    if "jwt" not in sys.modules and "cryptography" not in sys.modules:
        sys.meta_path.insert(0, LeanPyJWT())


def skip_httpx_cli() -> None:
    """Keep httpx from importing its command-line client.

    ``import httpx`` also imports ``httpx._main`` (click, rich.console,
    pygments, rich.progress: ~35 ms) whenever click is installed, and uvicorn
    installs it.  vtctl never runs httpx's CLI; with this placeholder httpx's
    own ``except ImportError`` fallback defines its ``main`` instead.
    """
    if "httpx" not in sys.modules:
        import types

        sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))


class LeanPyJWT:
    """Import PyJWT (via ``twilio.jwt``) without cryptography and urllib.request (~35 ms).

    While the ``jwt`` package's ``__init__`` runs:

    - ``cryptography`` looks absent.  PyJWT imports all of it, when installed,
      to offer RSA/EC keys; Twilio access tokens and vtctl's dev JWTs are HS256
      (hashlib/hmac), and PyJWT has its own documented no-cryptography branch.
    - ``jwt.jwks_client`` is a stand-in.  The real one imports urllib.request
      (http.client, email, ssl) for fetching JWK sets, which vtctl never does;
      the stand-in's ``PyJWKClient`` imports the real module on first use.

    The finder is used once and removes itself; afterwards both modules import
    normally for anyone else (keyring's Secret Service backend uses cryptography).
    """

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name != "jwt":
            return None
        sys.meta_path.remove(self)
        if "cryptography" in sys.modules:
            return None
        from importlib.util import find_spec

        spec = find_spec(name)
        loader = spec.loader if spec is not None else None
        if spec is None or loader is None or not hasattr(loader, "exec_module"):
            return spec
        exec_module = loader.exec_module

        def exec_lean(module: ModuleType) -> None:
            stand_ins = {"cryptography": None, "jwt.jwks_client": _jwks_client_stand_in()}
            for hidden, stand_in in stand_ins.items():
                sys.modules[hidden] = stand_in  # type: ignore[assignment]  # None: "import halted"
            try:
                exec_module(module)
            finally:
                for hidden, stand_in in stand_ins.items():
                    if sys.modules.get(hidden, False) is stand_in:
                        del sys.modules[hidden]

        loader.exec_module = exec_lean  # type: ignore[method-assign]
        return spec


def _jwks_client_stand_in() -> ModuleType:
    import types

    module = types.ModuleType("jwt.jwks_client", "Stand-in: see vtctl.launch.lean_imports.")

    class PyJWKClient:
        """``jwt.PyJWKClient`` in the vtctl process: the real class, imported on first use."""

        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            from jwt.jwks_client import PyJWKClient as real

            return real(*args, **kwargs)

    module.PyJWKClient = PyJWKClient  # type: ignore[attr-defined]
    return module
