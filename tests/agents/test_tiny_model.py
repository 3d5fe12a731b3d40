"""The default local model's tokenizer corpus: built-in games only, each within a budget."""

import games
from agents.llm import tiny_model
from games.registry import builtin


def test_the_corpus_reads_built_in_games_only_each_within_its_budget(monkeypatch):
    seen = []
    real_make = games.make

    def make(name, **options):
        seen.append(name)
        return real_make(name, **options)

    monkeypatch.setattr(games, "make", make)
    monkeypatch.setattr(tiny_model, "CORPUS_CHARS", 2_000)
    texts = list(tiny_model.game_corpus(seed=0, playouts=5))
    # an installed plug-in does not change the default model; each game is read in each
    # of its views (text, compact), each view within the budget
    assert seen == [name for name in builtin() for _ in range(2)]
    assert sum(map(len, texts)) < 2 * len(builtin()) * (2_000 + 12_000)


def test_the_corpus_can_name_its_games():
    texts = list(tiny_model.game_corpus(seed=0, playouts=2, names=["tictactoe"]))
    assert any("TicTacToe" in t or "tictactoe" in t for t in texts)
    assert not any("Kuhn" in t for t in texts)
