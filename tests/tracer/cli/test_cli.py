"""The ``tracer`` command: exit codes, one-line errors, and the walkthrough's hops end to end."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from tests.tracer.nova_fixture import record_doc
from tracer.cli.main import main
from tracer.model.trace import save

ROOT = Path(__file__).resolve().parents[3]
SEED_HOPS = ["Resource.__call__", "Resource._process_stack", "Resource.dispatch", "ServersController.detail",
             "ServersController._get_servers", "ViewBuilder.detail", "ViewBuilder._list_view", "ViewBuilder.show"]
PASTE_FILES = ["sample_api/api/openstack/urlmap.py", "sample_api/api/compute_req_id.py",
               "sample_api/api/openstack/__init__.py", "sample_api/api/openstack/requestlog.py",
               "sample_api/api/sizelimit.py", "sample_api/api/auth.py", "sample_api/wsgi.py"]
SEED_FRAMES = ["__call__", "_process_stack", "dispatch", "detail", "_get_servers", "detail", "_list_view", "show"]


def assert_one_line_error(capsys, code: int, *fragments: str) -> str:
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("tracer: error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err
    return err


@pytest.fixture
def fake_trace_file(tmp_path):
    path = tmp_path / "fake.json"
    save(record_doc("/v2.1/servers/nope"), path)
    return path


# -- bad input: one line, exit 2, before anything runs ----------------------------------------------


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["run", "FETCH", "/servers"], "unknown HTTP method 'FETCH'"),
        (["run", "GET", "servers/detail"], "is not a path"),
        (["run", "GET", "http://example.com/servers"], "is not a path"),
        (["run", "POST", "/servers", "--data", "{not json"], "--data is not valid JSON"),
        (["run", "POST", "/servers", "--data", "@/no/such/file.json"], "cannot read --data file '/no/such/file.json'"),
        (["run", "POST", "/servers", "--data", "@"], "--data @ needs a file name"),
        (["run", "GET", "/servers", "-H", "NoColonHere"], "is not of the form 'Name: value'"),
        (["run", "GET", "/servers", "--as", "a:b:c"], "is not USER or USER:PROJECT"),
        (["run", "GET", "/servers", "--as", ":project"], "is not USER or USER:PROJECT"),
        (["run", "GET", "/servers", "--include", "webob,not a module"], "--include 'not a module'"),
        (["run", "GET", "/servers", "--db", "/no/such/dir/x.db"], "does not exist"),
        (["run", "GET", "/servers", "--extensions-dir", "/no/such/dir"], "is not a directory"),
        (["run", "GET", "/servers", "--format", "json", "--at", "show"], "does not apply to --format json"),
        (["run", "GET", "/servers", "--format", "pdb", "--depth", "2"], "does not apply to --format pdb"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, fragment):
    assert_one_line_error(capsys, main(argv), fragment)


def test_unreadable_data_file(tmp_path, capsys):
    data = tmp_path / "body.json"
    data.write_bytes(b"\xff\xfe not utf-8")
    assert_one_line_error(capsys, main(["run", "POST", "/servers", "--data", f"@{data}"]), "not UTF-8")


def test_argparse_errors_exit_2_and_no_command_prints_help(capsys):
    assert main(["run", "GET"]) == 2
    assert "usage:" in capsys.readouterr().err
    assert main([]) == 2
    assert "run" in capsys.readouterr().err
    assert main(["run", "GET", "/x", "--depth", "0"]) == 2


# -- broken trace files -------------------------------------------------------------------------------


def broken_files(tmp_path: Path, good: Path) -> dict[str, Path]:
    text = good.read_text(encoding="utf-8")
    doc = json.loads(text)
    files = {
        "missing": tmp_path / "missing.json",
        "empty": tmp_path / "empty.json",
        "truncated": tmp_path / "truncated.json",
        "not_json": tmp_path / "notes.txt",
        "wrong_version": tmp_path / "v99.json",
        "corrupt_events": tmp_path / "corrupt.json",
        "truncated_gzip": tmp_path / "cut.json.gz",
        "directory": tmp_path,
    }
    files["empty"].write_text("")
    files["truncated"].write_text(text[: len(text) // 2])
    files["not_json"].write_text("just some notes, not a trace\n")
    files["wrong_version"].write_text(json.dumps({**doc, "version": 99}))
    files["corrupt_events"].write_text(json.dumps({**doc, "events": doc["events"] + [[0, 10_000, 1, 1]]}))
    files["truncated_gzip"].write_bytes(gzip.compress(text.encode())[:200])
    return files


@pytest.mark.parametrize("kind", ["missing", "empty", "truncated", "not_json", "wrong_version", "corrupt_events",
                                  "truncated_gzip", "directory"])
@pytest.mark.parametrize("command", ["show", "tui"])
def test_broken_trace_files_are_one_line_and_exit_2(tmp_path, fake_trace_file, capsys, kind, command):
    path = broken_files(tmp_path, fake_trace_file)[kind]
    assert_one_line_error(capsys, main([command, str(path)]), str(path))


def test_wrong_version_names_the_version(tmp_path, fake_trace_file, capsys):
    path = broken_files(tmp_path, fake_trace_file)["wrong_version"]
    assert_one_line_error(capsys, main(["show", str(path)]), "unsupported trace version 99")


def test_tui_on_a_broken_file_does_not_import_textual(tmp_path):
    code = (
        "import sys; from tracer.cli.main import main; "
        f"rc = main(['tui', {str(tmp_path / 'missing.json')!r}]); "
        "assert rc == 2, rc; assert 'textual' not in sys.modules, 'textual imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("tracer: error: ")


# -- show, on a saved fake trace ---------------------------------------------------------------------


def test_show_renders_status_body_and_tree_without_colour(fake_trace_file, capsys, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(["show", str(fake_trace_file)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    lines = out.splitlines()
    assert lines[0].startswith("HTTP 404 Not Found  GET /v2.1/servers/nope  as admin:admin  ")
    assert '"itemNotFound": {' in out
    assert any(line.startswith("└─ auth_filter  middleware  ") for line in lines)
    assert "✗ raised HTTPNotFound('Instance nope could not be found.')" in out


def test_no_color_wins_even_on_a_terminal(fake_trace_file, capsys, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich then styles its output as for a terminal
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(["show", str(fake_trace_file)]) == 0
    assert "\x1b[" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["show", str(fake_trace_file)]) == 0
    assert "\x1b" not in capsys.readouterr().out


def test_show_depth_limits_the_tree(fake_trace_file, capsys):
    assert main(["show", str(fake_trace_file), "--depth", "1"]) == 0
    out = capsys.readouterr().out
    assert "auth_filter" in out and "Resource.__call__" not in out
    assert "more calls below (on the exception path)" in out


def test_show_pdb_and_at(fake_trace_file, capsys):
    assert main(["show", str(fake_trace_file), "--format", "pdb"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("> tests/tracer/fakenova.py(")
    assert re.search(r"^> tests/tracer/fakenova\.py\(\d+\)show\(\)$", out, re.M)
    assert main(["show", str(fake_trace_file), "--at", "dispatch"]) == 0  # --at alone means pdb
    assert capsys.readouterr().out.rstrip().split("\n\n")[-1].startswith("> tests/tracer/fakenova.py(")


def test_show_at_an_unknown_function(fake_trace_file, capsys):
    assert_one_line_error(capsys, main(["show", str(fake_trace_file), "--at", "no_such_function"]),
                          "no call of 'no_such_function'")


def test_show_json_is_the_trace_document(fake_trace_file, capsys):
    assert main(["show", str(fake_trace_file), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(fake_trace_file.read_text())


def test_tui_hands_the_loaded_trace_to_run_tui(fake_trace_file, monkeypatch):
    seen = []
    fake = types.ModuleType("tracer.tui")
    fake.run_tui = lambda trace: seen.append(trace) or 0
    fake.terminal_problem = lambda: None  # as on a terminal
    monkeypatch.setitem(sys.modules, "tracer.tui", fake)
    assert main(["tui", str(fake_trace_file)]) == 0
    assert len(seen) == 1 and seen[0].status == 404


@pytest.fixture
def fake_replay(monkeypatch):
    """``tracer.tui`` replaced by one that notes the trace it was handed, as on a terminal."""
    seen = []
    fake = types.ModuleType("tracer.tui")
    fake.run_tui = lambda trace: seen.append(trace) or 0
    fake.terminal_problem = lambda: None
    monkeypatch.setitem(sys.modules, "tracer.tui", fake)
    return seen


@pytest.mark.parametrize("target", [[], ["--target", "sample_api"]])
def test_tui_with_a_request_records_it_on_the_target_then_replays_it(target, fake_replay):
    assert main(["tui", *target, "GET", "/flavors", "--as", "demo:demo"]) == 0
    [trace] = fake_replay
    assert trace.request_line == "GET /v2.1/flavors" and trace.status == 200
    assert trace.meta["target"]["name"] == "sample_api"
    assert trace.meta["line_detail"]["by"] == "rerun"  # line detail, as tracer run --tui records it


@pytest.mark.parametrize(("argv", "fragment"), [
    (["tui", "--target", "nova"], "--target records a request: tracer tui --target nova METHOD PATH"),
    (["tui", "GET", "/servers", "extra"], "not 3 words"),
    (["tui", "FILE", "--target", "nova"], "was recorded on the sample_api target, not nova"),
    (["tui", "--target", "nosuch", "GET", "/"], "unknown target 'nosuch'"),
])
def test_tui_with_a_target_it_cannot_use_is_one_line_and_exit_2(argv, fragment, fake_trace_file, fake_replay, capsys):
    argv = [str(fake_trace_file) if arg == "FILE" else arg for arg in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1
    assert fake_replay == []


# -- end to end, on sample_api -------------------------------------------------------------------------


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["run", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def first_index(lines: list[str], fragment: str) -> int:
    return next(i for i, line in enumerate(lines) if fragment in line)


def test_run_detail_shows_the_seed_hops_in_order(capsys):
    code, out, err = run(capsys, "GET", "/servers/detail")
    assert code == 0, err
    assert "\x1b" not in out
    lines = out.splitlines()
    assert lines[0].startswith("HTTP 200 OK  GET /v2.1/servers/detail  as admin:admin  ")
    filters = [first_index(lines, f"  {path}:") for path in PASTE_FILES]
    hops = [first_index(lines, f"─ {name}  ") for name in SEED_HOPS]
    assert filters == sorted(filters) and hops == sorted(hops)
    assert filters[-1] < hops[0]  # the paste filters and the router come before the Resource


def test_in_a_pipe_a_long_status_line_stays_one_line(capsys):
    code, out, err = run(capsys, "GET", "/servers/detail?limit=abc&marker=not-a-server-but-a-long-one")
    assert code == 0, err
    first = out.splitlines()[0]
    assert len(first) > 80  # longer than a pipe's default width
    assert first.startswith("HTTP 400 Bad Request  GET /v2.1/servers/detail?limit=abc") and first.endswith(" hops")


def test_run_pdb_walks_the_seed_frames_on_real_source_lines(capsys):
    code, out, err = run(capsys, "GET", "/servers/detail", "--format", "pdb")
    assert code == 0, err
    blocks = out.rstrip("\n").split("\n\n")
    frames = []
    for block in blocks:
        header, *rows = block.splitlines()
        match = re.fullmatch(r"> (\S+)\((\d+)\)(\w+)\(\)", header)
        assert match, header
        path, line, function = match.group(1), int(match.group(2)), match.group(3)
        current = [row for row in rows if re.match(r"^-*> ?\d+ ", row)]
        assert len(current) == 1, block
        source = (ROOT / path).read_text(encoding="utf-8").splitlines()[line - 1]
        assert current[0][8:] == source.rstrip()
        frames.append(function)
    assert frames[-len(SEED_FRAMES):] == SEED_FRAMES
    assert "-->" in out  # three-digit line numbers get pdb's long arrow


def test_saved_trace_shows_the_same_as_the_run(tmp_path, capsys):
    path = tmp_path / "detail.json.gz"
    code, out, err = run(capsys, "GET", "/servers/detail", "--save", str(path))
    assert code == 0
    assert err.startswith(f"tracer: saved the trace to {path} (") and err.count("\n") == 1
    assert main(["show", str(path)]) == 0
    assert capsys.readouterr().out == out


def test_an_api_error_is_not_a_cli_error(capsys):
    code, out, err = run(capsys, "GET", "/servers/nope")
    assert code == 0 and err == ""
    assert out.startswith("HTTP 404 Not Found  GET /v2.1/servers/nope")
    assert '"itemNotFound"' in out
    assert "Resource.dispatch" in out and "raised" in out


def test_run_reaches_the_identity_stand_in_unprefixed_and_redacts_the_password(tmp_path, capsys):
    path = tmp_path / "login.json"
    body = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": "alice", "domain": {"id": "default"}, "password": "Wonder-land-7"}}},
        "scope": {"project": {"name": "demo", "domain": {"id": "default"}}}}}
    code, out, err = run(capsys, "POST", "/identity/v3/auth/tokens", "--data", json.dumps(body), "--save", str(path))
    assert code == 0, err
    assert out.startswith("HTTP 201 Created  POST /identity/v3/auth/tokens  ")
    assert "Identity.issue_token" in out
    saved = path.read_text()
    assert "Wonder-land-7" not in saved and "[redacted: password]" in saved


def test_secrets_never_reach_a_saved_trace(tmp_path, capsys):
    path = tmp_path / "create.json"
    body = json.dumps({"server": {"name": "t", "flavorRef": "1", "adminPass": "S3cret-pass"}})
    code, out, err = run(capsys, "POST", "/servers", "--data", body, "--save", str(path))
    assert code == 0, err
    assert out.startswith("HTTP 202")
    saved = path.read_text(encoding="utf-8")
    assert "S3cret-pass" not in saved
    assert "admin:admin" not in saved
    assert "[redacted: X-Auth-Token]" in saved


def test_a_secret_query_parameter_never_reaches_a_saved_trace(tmp_path, capsys):
    path = tmp_path / "query.json"
    code, out, err = run(capsys, "GET", "/servers/detail?name=web&password=hunt%2Ber22", "--save", str(path))
    assert code == 0, err
    saved = path.read_text(encoding="utf-8")
    for form in ("hunt%2Ber22", "hunt+er22"):
        assert form not in saved and form not in out
    doc = json.loads(saved)
    assert doc["request"]["path"] == "/v2.1/servers/detail?name=web&password=[redacted: password]"
    assert out.startswith("HTTP 200 OK  GET /v2.1/servers/detail?name=web&password=[redacted: password]  ")


def test_an_opaque_token_never_reaches_a_saved_trace_as_the_user(tmp_path, capsys):
    """noauth2 makes a token without a colon the user and the project: a real token sent by mistake
    must not come back as who asked (the header's value is redacted, and so is what it became)."""
    token = "gAAAAABopaque-keystone-token-0123"
    path = tmp_path / "opaque.json"
    code, out, err = run(capsys, "GET", "/servers/detail", "-H", f"X-Auth-Token: {token}", "--save", str(path))
    assert code == 0, err
    assert out.startswith("HTTP 200")
    saved = path.read_text(encoding="utf-8")
    assert token not in saved and token not in out
    doc = json.loads(saved)
    assert doc["request"]["user_id"] == doc["request"]["project_id"] == "[redacted]"


def test_run_options_reach_the_request(tmp_path, capsys):
    data = tmp_path / "server.json"
    data.write_text(json.dumps({"server": {"name": "from-file", "flavorRef": "1"}}))
    code, out, err = run(capsys, "POST", "/servers", "--data", f"@{data}", "--as", "alice:demo",
                         "-H", "X-Trace-Test: yes", "--include", "webob", "--detail", "call", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["response"]["status"] == 202
    assert doc["request"]["user_id"] == "alice" and doc["request"]["project_id"] == "demo"
    assert doc["request"]["headers"]["X-Trace-Test"] == "yes"
    assert "from-file" in doc["request"]["body"]
    assert doc["meta"]["include"] == ["sample_api", "sample_api_extensions", "webob"]
    assert doc["meta"]["detail"] == "call"
    assert any(code[0].startswith("webob") for code in doc["codes"])


def test_run_on_a_database_file(tmp_path, capsys):
    code, out, err = run(capsys, "GET", "/servers", "--db", str(tmp_path / "api.db"))
    assert code == 0, err
    assert out.startswith("HTTP 200 OK")


def test_run_tui_imports_the_tui_only_then(monkeypatch):
    seen = []
    fake = types.ModuleType("tracer.tui")
    fake.run_tui = lambda trace: seen.append(trace.request_line) or 0
    fake.terminal_problem = lambda: None  # as on a terminal
    monkeypatch.setitem(sys.modules, "tracer.tui", fake)
    assert main(["run", "GET", "/servers/detail", "--tui"]) == 0
    assert seen == ["GET /v2.1/servers/detail"]


@pytest.mark.parametrize("argv", [["run", "GET", "/servers/detail", "--tui"], ["tui", "FILE"]])
def test_the_replay_without_a_terminal_is_one_line_and_exit_2(argv, fake_trace_file):
    """Piped, the full-screen replay would write escape codes into the pipe and wait for keys forever."""
    argv = [str(fake_trace_file) if arg == "FILE" else arg for arg in argv]
    result = subprocess.run([sys.executable, "-c", "import sys; from tracer.cli.main import main; sys.exit(main())",
                             *argv], cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "tracer: error: the replay is full-screen and needs a terminal, but standard input is not one"]
    assert "\x1b" not in result.stdout  # nothing drawn


def test_run_does_not_import_textual():
    code = (
        "import sys; from tracer.cli.main import main; "
        "rc = main(['run', 'GET', '/servers/detail', '--format', 'pdb']); "
        "assert rc == 0, rc; assert 'textual' not in sys.modules, 'textual imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "> sample_api/api/openstack/wsgi.py(" in result.stdout


def test_run_keeps_quiet_about_a_faithful_rerun_and_says_when_one_differed(capsys):
    code, _out, err = run(capsys, "GET", "/servers/detail", "--format", "json")
    assert code == 0 and err == ""
    # a new key pair comes from ssh-keygen, which no seed fixes: the re-run's key is another one
    code, out, err = run(capsys, "POST", "/os-keypairs", "--data", '{"keypair": {"name": "rerun-key"}}',
                         "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["response"]["status"] == 200
    assert doc["meta"]["line_detail"]["faithful"] is False
    assert err.count("\n") == 1 and "note: line detail comes from a re-run that differed" in err


@pytest.mark.parametrize("command", ["run", "serve"])
def test_a_db_file_that_is_no_database_is_one_line_and_exit_2(tmp_path, capsys, command):
    path = tmp_path / "notes.db"
    path.write_text("not a database\n" * 100)
    argv = ["run", "GET", "/servers"] if command == "run" else ["serve", "--port", "0", "--store", str(tmp_path)]
    code = main([*argv, "--db", str(path)])
    assert_one_line_error(capsys, code, "sample_api could not start", "file is not a database")
