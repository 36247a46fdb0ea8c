"""PEP 517 backend for `pip install .` of this repository.

Everywhere but one place it is maturin: `pip install .`, `pip install
git+URL` and source distributions build the agentc binary from source, as
for any maturin project.

The one place is a pre-commit hook environment. pre-commit installs a
`language: python` hook by running `pip install . <additional_dependencies>`
in a virtualenv it creates inside its clone of the hook repository
(`<clone>/py_env-<version>`). There the binary comes from the prebuilt
`agentc` wheel named in `additional_dependencies`, and compiling the crate
would only make the first commit wait minutes for a second copy. So when the
environment being installed into lives in the source tree as `py_env-*`,
this backend builds an empty wheel, `agentc-pre-commit-hook`, in
milliseconds and without network.

`AGENTC_PEP517=maturin` or `AGENTC_PEP517=hook` forces either choice.
"""

import base64
import hashlib
import os
import re
import zipfile

HOOK_NAME = "agentc_pre_commit_hook"


def _hook_environment() -> bool:
    forced = os.environ.get("AGENTC_PEP517", "")
    if forced in ("maturin", "hook"):
        return forced == "hook"
    venv = os.environ.get("VIRTUAL_ENV", "")
    if not venv:
        return False
    venv = os.path.realpath(venv)
    return os.path.dirname(venv) == os.path.realpath(os.getcwd()) and os.path.basename(
        venv
    ).startswith("py_env-")


def _version() -> str:
    with open("Cargo.toml", encoding="utf-8") as f:
        text = f.read()
    package = text.split("[package]", 1)[1].split("\n[", 1)[0]
    match = re.search(r'^version\s*=\s*"([^"]+)"', package, re.MULTILINE)
    if match is None:
        raise RuntimeError("no version in Cargo.toml's [package]")
    return match.group(1)


def _metadata() -> str:
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {HOOK_NAME.replace('_', '-')}\n"
        f"Version: {_version()}\n"
        "Summary: pre-commit hook environment for agentc; the binary comes from the agentc wheel\n"
    )


def _dist_info() -> str:
    return f"{HOOK_NAME}-{_version()}.dist-info"


def _write_dist_info(directory: str) -> str:
    dist_info = os.path.join(directory, _dist_info())
    os.makedirs(dist_info, exist_ok=True)
    with open(os.path.join(dist_info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata())
    return _dist_info()


def _build_hook_wheel(wheel_directory: str) -> str:
    dist_info = _dist_info()
    files = {
        f"{dist_info}/METADATA": _metadata(),
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: agentc_backend\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for name, text in files.items():
        data = text.encode("utf-8")
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = "\n".join(record) + "\n"
    filename = f"{HOOK_NAME}-{_version()}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as wheel:
        for name, text in files.items():
            wheel.writestr(name, text)
    return filename


def get_requires_for_build_wheel(config_settings=None):
    if _hook_environment():
        return []
    return ["maturin>=1.16,<2"]


def get_requires_for_build_sdist(config_settings=None):
    return ["maturin>=1.16,<2"]


def get_requires_for_build_editable(config_settings=None):
    return ["maturin>=1.16,<2"]


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    if _hook_environment():
        return _write_dist_info(metadata_directory)
    import maturin

    return maturin.prepare_metadata_for_build_wheel(metadata_directory, config_settings)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    if _hook_environment():
        return _build_hook_wheel(wheel_directory)
    import maturin

    return maturin.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    import maturin

    return maturin.build_sdist(sdist_directory, config_settings)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    import maturin

    return maturin.build_editable(wheel_directory, config_settings, metadata_directory)
