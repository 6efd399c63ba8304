"""tools/setup_venv.py hands uv the index settings pip would use (uv reads no pip.conf)."""

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location("setup_venv", Path(__file__).parent.parent / "tools" / "setup_venv.py")
setup_venv = importlib.util.module_from_spec(spec)
spec.loader.exec_module(setup_venv)

# What `pip config list` printed on the development machine (a local mirror beside PyPI).
PIP_CONFIG_LIST = """\
:env:.cert='/etc/ssl/certs/ca-certificates.crt'
:env:.default-timeout='180'
:env:.disable-pip-version-check='1'
:env:.find-links='/opt/wheels'
global.cert='/etc/ssl/certs/ca-certificates.crt'
global.constraint='/etc/xdg/pip/constraints.txt'
global.extra-index-url='file:///opt/pypi/simple file:///opt/pypi-more/simple'
global.find-links='/opt/wheels'
"""


def test_the_mirror_extra_indexes_links_and_certificate_reach_uv():
    options, env = setup_venv.uv_index_options(setup_venv.pip_settings(PIP_CONFIG_LIST))
    assert options == [
        "--extra-index-url", "file:///opt/pypi/simple",
        "--extra-index-url", "file:///opt/pypi-more/simple",
        "--find-links", "/opt/wheels",
        "--index-strategy", "unsafe-best-match",
    ]
    assert env == {"SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt"}


def test_pip_variables_override_the_install_section_which_overrides_global():
    text = "global.index-url='https://a/simple'\ninstall.index-url='https://b/simple'\n"
    assert setup_venv.pip_settings(text)["index-url"] == "https://b/simple"
    text += ":env:.index-url='https://c/simple'\n"
    assert setup_venv.pip_settings(text)["index-url"] == "https://c/simple"


def test_no_configuration_leaves_uv_on_its_defaults():
    assert setup_venv.uv_index_options(setup_venv.pip_settings("")) == ([], {})


def test_no_index_and_trusted_hosts_are_kept():
    options, _ = setup_venv.uv_index_options(
        setup_venv.pip_settings(":env:.no-index='true'\nglobal.trusted-host='mirror.local other.local'\n")
    )
    assert options == ["--no-index", "--allow-insecure-host", "mirror.local", "--allow-insecure-host", "other.local"]
