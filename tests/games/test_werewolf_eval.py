"""arena eval on Werewolf: team win rates, vote accuracy, Seer survival, invalid rate,
game length, from the game's record_metrics hook; teams per match from the roles."""

import json

from arena.cli import main as arena_main
from arena.evaluate import evaluate


def test_eval_reports_team_metrics_for_every_opponent():
    result = evaluate("werewolf:speech=claims", "werewolf-rules", games=6, seed=0,
                      exact=False)
    m = result.metrics
    for opp in ("random", "expert"):
        g = f"vs_{opp}/game/"
        assert m[g + "village/games"] == 5 * 6 and m[g + "wolves/games"] == 2 * 6
        assert m[g + "seer_alive_day2/games"] == 6
        assert m[g + "invalid_rate"] == 0.0
        for key in ("village/win_rate", "wolves/win_rate", "village_votes_on_wolves",
                    "seer_alive_day2"):
            assert 0.0 <= m[g + key] <= 1.0
        assert m[g + "village/win_rate_low"] <= m[g + "village/win_rate"] <= m[
            g + "village/win_rate_high"]
        assert m[g + "mean_days"] >= 1.0 and m[g + "mean_decisions"] > 10
        # the team rows agree with the per-role rows of the same matches
        per_role = sum(m[f"vs_{opp}/{r}/win_rate"] * m[f"vs_{opp}/{r}/games"]
                       for r in ("seer", "doctor", "villager"))
        assert abs(per_role - m[g + "village/win_rate"] * 30) < 1e-9
        assert m[f"vs_{opp}/werewolf/win_rate"] == m[g + "wolves/win_rate"]


def test_arena_eval_werewolf_prints_json(capsys):
    assert arena_main(["eval", "werewolf", "--agent", "random", "--games", "2",
                       "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["metrics"]["vs_expert/game/village/games"] == 10.0


def test_tournament_with_a_fill_rates_by_team_and_counts_every_role():
    from arena.ratings import leaderboard
    from arena.store import Store
    from arena.tournament import TournamentConfig, run_tournament

    store = Store(":memory:")
    run_tournament(TournamentConfig(games=["werewolf:speech=claims"],
                                    agents=["random", "expert"], rounds=2,
                                    fill="werewolf-rules"), store)
    board = leaderboard(store, game="werewolf")
    assert board.method == "plackett-luce" and board.matches == 14
    rows = {(r.agent, r.role): r for r in board.roles}
    # random sits at every role position once per round: 2 wolves, seer, doctor, 3 villagers
    assert [rows["random", role].games for role in ("werewolf", "seer", "doctor", "villager")
            ] == [4, 2, 2, 6]
    # teams follow the dealt roles: a team's members share the result, no draws
    random_row = next(r for r in board.rows if r.agent == "random")
    assert random_row.draws == 0 and random_row.wins + random_row.losses == 14
