"""Optional explanation engine: any OpenAI-compatible chat-completions server (llama.cpp, Ollama, vLLM).

The model sees the narrative's definition, the evidence sentences the offline engine selected and the start of the
article. Its answer is checked before it is used: cut to 80 words at a sentence end, and refused when it quotes text
that is not in the article (one retry with that feedback). Time-outs and server errors are retried with back-off;
when nothing usable comes back, :class:`LLMError` says why and the caller falls back to the offline engine.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

from narrascope.document import LANGUAGE_NAMES
from narrascope.errors import NarrascopeError
from narrascope.evaluate.explanations import MAX_WORDS, ungrounded_quotes

ARTICLE_WORDS = 1500
SYSTEM_PROMPT = (
    "You are an analyst of propaganda in news. Explain in at most 80 words, in the language of the article, why the "
    "article pushes the given narrative: name the claim, the actors and the concrete facts the article uses. Quote "
    "the article only verbatim, in double quotes. Answer with the explanation only."
)


class LLMError(NarrascopeError):
    """The LLM server gave no usable explanation (unreachable, time-out, bad answer)."""


@dataclass(frozen=True, slots=True)
class LLMSettings:
    url: str  # base URL, e.g. http://127.0.0.1:8080/v1
    model: str
    timeout: float = 30.0
    retries: int = 2
    api_key: str | None = None


def fit_words(text: str, limit: int = MAX_WORDS) -> str:
    """``text`` cut to ``limit`` words, at the last sentence end inside the limit when there is one."""
    words = text.split()
    if len(words) <= limit:
        return " ".join(words)
    cut = " ".join(words[:limit])
    end = max(cut.rfind(mark) for mark in (". ", "! ", "? ", "। "))
    return cut[: end + 1] if end > len(cut) // 2 else cut.rstrip(",;:") + "…"


class LLMExplainer:
    """Asks the server for an explanation and checks it (see the module docstring)."""

    def __init__(self, settings: LLMSettings) -> None:
        if not settings.url.lower().startswith(("http://", "https://")):
            raise LLMError(f"{settings.url}: the LLM URL must start with http:// or https://")
        self.settings = settings
        self.endpoint = settings.url.rstrip("/") + "/chat/completions"

    def explain(
        self,
        article: str,
        language: str | None,
        narrative: str,
        definition: str,
        evidence: Sequence[str],
    ) -> str:
        body = " ".join(article.split()[:ARTICLE_WORDS])
        prompt = (
            f"Narrative: {narrative}\nDefinition: {definition}\n"
            f"Language of the answer: {LANGUAGE_NAMES.get(language or '', 'the language of the article')}\n"
            "Sentences that support it:\n"
            + "\n".join(f"- {sentence}" for sentence in evidence)
            + f"\n\nArticle:\n{body}"
        )
        messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}]
        answer = fit_words(self._complete(messages))
        invented = ungrounded_quotes(answer, article)
        if invented:
            messages += [
                {"role": "assistant", "content": answer},
                {"role": "user", "content": f"These quotes are not in the article: {invented}. Answer again, quoting "
                 "only text that appears in the article verbatim."},
            ]  # fmt: skip
            answer = fit_words(self._complete(messages))
            invented = ungrounded_quotes(answer, article)
            if invented:
                raise LLMError(f"{self.endpoint}: the answer quotes text that is not in the article ({invented[0]!r})")
        if not answer:
            raise LLMError(f"{self.endpoint}: empty answer")
        return answer

    def _complete(self, messages: list[dict[str, str]]) -> str:
        payload = json.dumps({"model": self.settings.model, "messages": messages, "temperature": 0.2}).encode()
        headers = {"content-type": "application/json"}
        if self.settings.api_key:
            headers["authorization"] = f"Bearer {self.settings.api_key}"
        problem = "no attempt"
        for attempt in range(self.settings.retries + 1):
            if attempt:
                time.sleep(min(4.0, 0.5 * 2**attempt))
            request = urllib.request.Request(self.endpoint, data=payload, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:  # nosec B310
                    data = json.loads(response.read().decode("utf-8"))
                return str(data["choices"][0]["message"]["content"]).strip()
            except urllib.error.HTTPError as error:
                problem = f"HTTP {error.code}"
                if error.code < 500 and error.code != 429:
                    break  # a client error does not get better by retrying
            except (urllib.error.URLError, TimeoutError, OSError) as error:
                problem = f"cannot reach the server ({getattr(error, 'reason', error)})"
            except (ValueError, KeyError, IndexError, TypeError):
                problem = "the answer is not an OpenAI-style chat completion"
                break
        raise LLMError(f"{self.endpoint}: {problem} after {attempt + 1} attempt(s)")
