"""The optional LLM explanation engine against a local server speaking the OpenAI chat-completions protocol."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from narrascope.tasks.explain.llm import LLMError, LLMExplainer, LLMSettings, fit_words

ARTICLE = "Title\n\nMinisters said NATO troops could be sent to Ukraine soon. Moscow warned of a wider war."


class FakeLLM(BaseHTTPRequestHandler):
    """Answers from ``server.answers`` in turn: a string (the content), an int (an HTTP error) or "sleep"."""

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["content-length"])))
        self.server.requests.append(request)
        answer = self.server.answers.pop(0) if len(self.server.answers) > 1 else self.server.answers[0]
        if answer == "sleep":  # the client gives up first; its closed socket is not our problem
            time.sleep(1.0)
            return
        if isinstance(answer, int):
            self.send_response(answer)
            self.end_headers()
            return
        body = json.dumps({"choices": [{"message": {"role": "assistant", "content": answer}}]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def llm() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLLM)
    server.answers, server.requests = ["ok"], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def _explainer(server: ThreadingHTTPServer, **options) -> LLMExplainer:
    host, port = server.server_address
    return LLMExplainer(LLMSettings(url=f"http://{host}:{port}/v1", model="test-model", **options))


def _explain(explainer: LLMExplainer) -> str:
    return explainer.explain(ARTICLE, "en", "URW: Amplifying war-related fears", "Fear of escalation.", ["NATO troops"])


def test_a_good_answer_is_used_and_the_prompt_carries_definition_evidence_and_article(llm):
    llm.answers = ['The text warns that "NATO troops could be sent to Ukraine soon", which Moscow says means war.']
    assert _explain(_explainer(llm)).startswith("The text warns")
    request = llm.requests[0]
    assert request["model"] == "test-model"
    prompt = request["messages"][-1]["content"]
    assert "Fear of escalation." in prompt and "- NATO troops" in prompt and "Moscow warned" in prompt


def test_long_answers_are_cut_to_80_words(llm):
    llm.answers = ["One sentence here. " * 40]
    answer = _explain(_explainer(llm))
    assert len(answer.split()) <= 80 and answer.endswith(".")
    assert fit_words("word " * 100).endswith("…") and len(fit_words("word " * 100).split()) == 80


def test_invented_quotes_are_refused_then_retried_with_feedback(llm):
    llm.answers = ['It says "troops will invade Paris".', 'It says "NATO troops could be sent to Ukraine soon".']
    assert "could be sent" in _explain(_explainer(llm))
    assert "not in the article" in llm.requests[1]["messages"][-1]["content"]
    llm.answers = ['It says "made up".']
    with pytest.raises(LLMError, match="quotes text that is not in the article"):
        _explain(_explainer(llm))


def test_server_errors_are_retried_and_time_outs_explained(llm):
    llm.answers = [500, "Recovered answer."]
    assert _explain(_explainer(llm, retries=2)) == "Recovered answer."
    llm.answers = ["sleep"]
    with pytest.raises(LLMError, match=r"cannot reach the server .* after 2 attempt\(s\)"):
        _explain(_explainer(llm, timeout=0.3, retries=1))
    llm.answers = [404]
    with pytest.raises(LLMError, match="HTTP 404 after 1 attempt"):
        _explain(_explainer(llm, retries=3))


def test_unreachable_servers_and_bad_urls_are_one_line_errors():
    with pytest.raises(LLMError, match="cannot reach the server"):
        _explain(LLMExplainer(LLMSettings(url="http://127.0.0.1:1/v1", model="m", timeout=0.5, retries=0)))
    with pytest.raises(LLMError, match="must start with http"):
        LLMExplainer(LLMSettings(url="file:///etc/passwd", model="m"))


def test_predict_explanations_with_the_llm_and_the_offline_fallback(llm, tmp_path, capsys):
    from .test_cli import _entity_docs, run

    docs, _ = _entity_docs(tmp_path)
    dominant = tmp_path / "dominant.txt"
    dominant.write_text("nato.txt\tURW: Amplifying war-related fears\tnone\n", encoding="utf-8")
    out = tmp_path / "explanations.txt"
    host, port = llm.server_address
    args = ["predict", "explanations", "--docs", str(docs), "--narratives", str(dominant), "--out", str(out)]
    llm.answers = ["The article warns that Western troops in Ukraine would mean war with Russia."]
    code, _, err = run(capsys, *args, "--llm-url", f"http://{host}:{port}/v1", "--llm-model", "tiny")
    assert code == 0, err
    assert out.read_text(encoding="utf-8").strip().endswith("would mean war with Russia.")
    llm.answers = [404]
    code, _, err = run(capsys, *args, "--llm-url", f"http://{host}:{port}/v2", "--llm-model", "tiny")
    assert code == 0 and "HTTP 404" in err and "used the offline engine" in err
    assert out.read_text(encoding="utf-8").split("\t")[1].startswith("The text presents")


def test_analyze_says_when_it_fell_back_to_the_offline_engine(llm, capsys):
    from .test_cli import NATO_ARTICLE, run

    host, port = llm.server_address
    llm.answers = [404]
    code, out, err = run(capsys, "analyze", str(NATO_ARTICLE), "--llm-url", f"http://{host}:{port}/v3", "-f", "json")
    assert code == 0 and "HTTP 404" in err and "used the offline engine" in err
    assert json.loads(out)["explanation"]["engine"] == "offline"
