"""The default engine end to end: scope decides whether narratives apply, both engines are recorded."""

from __future__ import annotations

import json

import narrascope
from narrascope.document import Analysis

from .conftest import EXAMPLES
from .test_cli import run

RECIPE_PT = """Biscoitos amanteigados de Natal

Misture a manteiga em temperatura ambiente com o açúcar até obter um creme claro. Junte o ovo e a baunilha e
bata mais um pouco. Acrescente a farinha peneirada aos poucos, mexendo com uma espátula, até a massa desgrudar das
mãos. Abra a massa entre dois plásticos, corte os biscoitos com cortadores de estrela e leve ao forno preaquecido a
180 graus por doze minutos, até dourarem levemente nas bordas. Deixe esfriar antes de decorar com glacê."""

FOOTBALL_RU = """«Зенит» обыграл «Спартак» в центральном матче тура

Петербургский «Зенит» на своём поле обыграл московский «Спартак» со счётом 2:1 в матче 12-го тура чемпионата.
Первый мяч на 17-й минуте забил нападающий хозяев, после подачи углового. Гости отыгрались ещё до перерыва, но
во втором тайме победный гол после быстрой контратаки принёс «Зениту» три очка. Команда сохранила лидерство в
турнирной таблице, опережая ближайшего преследователя на четыре очка."""

WEATHER_DE = """Sonniges Wochenende in Wien erwartet

Die Meteorologen erwarten für das kommende Wochenende viel Sonne und Temperaturen bis zu 24 Grad. Am Samstag
ziehen am Nachmittag im Westen einzelne Wolkenfelder durch, Regen ist aber kaum zu erwarten. Der Sonntag bringt
im ganzen Land strahlenden Sonnenschein, ideal für Ausflüge in die Berge oder an die Seen."""


def test_ordinary_news_gets_no_narrative_whatever_its_language():
    for text, language in ((RECIPE_PT, "pt"), (FOOTBALL_RU, "ru")):
        analysis = narrascope.analyze(text)
        assert analysis.language == language
        assert analysis.scope is not None and not analysis.scope.on_topic, (language, analysis.scope)
        assert analysis.narratives == [] and analysis.subnarratives == []
        assert analysis.scope.language_supported


def test_an_unsupported_language_is_analysed_and_marked(capsys, tmp_path):
    article = tmp_path / "wetter.txt"
    article.write_text(WEATHER_DE, encoding="utf-8")
    code, out, _ = run(capsys, "analyze", str(article))
    assert code == 0
    assert "Language de is not one narrascope was trained on" in " ".join(out.split())
    assert "Not about the war in Ukraine or climate change" in " ".join(out.split())
    code, out, _ = run(capsys, "analyze", str(article), "--format", "json")
    scope = json.loads(out)["scope"]
    assert scope["language_supported"] is False and scope["on_topic"] is False


def test_on_topic_news_gets_narratives_with_evidence_of_their_own():
    text = (EXAMPLES / "nato-troops-escalation.txt").read_text(encoding="utf-8")
    analysis = narrascope.analyze(text)
    assert analysis.scope.on_topic and analysis.scope.confidence > 0.9
    assert analysis.engine == "default" and "encoder" in analysis.models
    assert analysis.narratives and analysis.narratives[0].name.startswith("URW:")
    cited: dict[tuple[int, int], int] = {}
    for label in analysis.subnarratives:
        assert label.evidence
        for span in label.evidence:
            assert text[span.start : span.end] == span.text
            cited[(span.start, span.end)] = cited.get((span.start, span.end), 0) + 1
    assert max(cited.values()) <= 2  # a sentence is evidence for at most two sub-narratives
    assert analysis.encoding is None  # the token vectors are released after the pass
    assert analysis.vector.shape == (384,)
    assert Analysis.from_dict(json.loads(json.dumps(analysis.to_dict()))).scope == analysis.scope


def test_the_fast_engine_runs_the_ngram_models_alone(capsys):
    code, out, _ = run(capsys, "analyze", str(EXAMPLES / "nato-troops-escalation.txt"), "--fast", "--format", "json")
    assert code == 0
    analysis = json.loads(out)
    assert analysis["engine"] == "fast" and analysis["scope"] is None
    assert "encoder" not in analysis["models"] and analysis["narratives"]


def test_the_api_analyses_with_either_engine(tmp_path):
    from fastapi.testclient import TestClient

    from narrascope.api import Settings, create_app

    text = (EXAMPLES / "nato-troops-escalation.txt").read_text(encoding="utf-8")
    with TestClient(create_app(Settings(db=str(tmp_path / "api.db")))) as client:
        default = client.post("/api/analyze", json={"text": text}).json()
        fast = client.post("/api/analyze", params={"engine": "fast"}, json={"text": text}).json()
        assert client.post("/api/analyze", params={"engine": "slow"}, json={"text": text}).status_code == 422
    assert default["engine"] == "default" and default["scope"]["on_topic"] is True
    assert fast["engine"] == "fast" and fast["scope"] is None
