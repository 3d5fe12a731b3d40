"""Advantages and losses against naive references on hand-computed cases."""

import math

import pytest
import torch

from training.advantages import RoleBaselines, compute_advantages
from training.losses import dpo_loss, kl_penalty, policy_gradient_loss


def test_rae_uses_the_baseline_before_the_update():
    b = RoleBaselines(decay=0.5)
    adv = compute_advantages([1.0, -1.0, 1.0], ["g/first", "g/second", "g/first"], "rae", b)
    assert adv == [1.0, -1.0, 1.0]  # baselines start at 0
    assert b.get("g/first") == pytest.approx(0.5)  # 0.5*0 + 0.5*mean(1, 1)
    assert b.get("g/second") == pytest.approx(-0.5)
    adv = compute_advantages([1.0, 1.0], ["g/first", "g/second"], "rae", b)
    assert adv == [pytest.approx(0.5), pytest.approx(1.5)]
    assert b.get("g/first") == pytest.approx(0.75)


def test_rae_baseline_converges_to_the_role_mean():
    b = RoleBaselines(decay=0.9)
    for _ in range(300):
        compute_advantages([-1 / 18], ["kuhn/first"], "rae", b)
    assert b.get("kuhn/first") == pytest.approx(-1 / 18, abs=1e-9)


def test_other_modes_and_errors():
    assert compute_advantages([1.0, 0.0], ["a", "b"], "none") == [1.0, 0.0]
    assert compute_advantages([1.0, 0.0], ["a", "b"], "batch-mean") == [0.5, -0.5]
    with pytest.raises(ValueError, match="unknown"):
        compute_advantages([1.0], ["a"], "gae")
    with pytest.raises(ValueError, match="decay"):
        RoleBaselines(decay=1.0)
    b = RoleBaselines(decay=0.8)
    compute_advantages([2.0], ["x"], "rae", b)
    assert RoleBaselines.from_state_dict(b.state_dict()) == b


def naive_pg(logp, old, adv, mask, norm, eps):
    total = 0.0
    for i in range(len(logp)):
        for t in range(len(logp[i])):
            if not mask[i][t]:
                continue
            r = math.exp(logp[i][t] - old[i][t])
            v = r * adv[i]
            if eps is not None:
                v = min(v, max(min(r, 1 + eps), 1 - eps) * adv[i])
            total += -v
    return total / norm


@pytest.mark.parametrize("eps", [None, 0.2])
def test_policy_gradient_matches_naive(eps):
    logp = [[-0.1, -2.0, -0.5], [-1.0, -0.3, -9.0]]
    old = [[-0.5, -1.0, -0.5], [-1.0, -0.2, -1.0]]
    adv = [1.5, -0.7]
    mask = [[1, 1, 0], [1, 1, 1]]
    loss, stats = policy_gradient_loss(torch.tensor(logp), torch.tensor(old), torch.tensor(adv),
                                       torch.tensor(mask, dtype=torch.float32), 4.0, eps)
    assert float(loss) == pytest.approx(naive_pg(logp, old, adv, mask, 4.0, eps), rel=1e-5)
    if eps is not None:
        assert 0 < stats["clip_fraction"] < 1


def test_policy_gradient_direction():
    """With equal old and new log-probs the gradient raises the log-prob of positive-advantage
    tokens and lowers that of negative ones."""
    logp = torch.zeros(2, 1, requires_grad=True)
    loss, _ = policy_gradient_loss(logp, torch.zeros(2, 1), torch.tensor([1.0, -1.0]),
                                   torch.ones(2, 1), 1.0)
    loss.backward()
    assert logp.grad[0, 0] < 0 < logp.grad[1, 0]


def test_kl_penalty_is_zero_at_equality_and_positive_elsewhere():
    a = torch.tensor([[-1.0, -2.0]])
    assert torch.allclose(kl_penalty(a, a), torch.zeros_like(a))
    assert (kl_penalty(a, a - 0.5) > 0).all()
    d = -0.5
    assert float(kl_penalty(torch.tensor([0.0]), torch.tensor([d]))) == pytest.approx(
        math.exp(d) - d - 1)


def test_dpo_matches_hand_computation():
    losses, cr, rr = dpo_loss(torch.tensor([-1.0]), torch.tensor([-2.0]),
                              torch.tensor([-1.5]), torch.tensor([-1.5]), beta=0.5)
    margin = 0.5 * (-1.0 + 1.5) - 0.5 * (-2.0 + 1.5)
    assert float(losses[0]) == pytest.approx(-math.log(1 / (1 + math.exp(-margin))))
    assert float(cr[0]) == pytest.approx(0.25) and float(rr[0]) == pytest.approx(-0.25)
    with pytest.raises(ValueError, match="beta"):
        dpo_loss(torch.zeros(1), torch.zeros(1), torch.zeros(1), torch.zeros(1), beta=0)
