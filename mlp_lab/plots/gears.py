"""Backprop as gears: a chain of gears from the input to the cost, parameters as side gears.

Turning a gear turns the cost gear at a fixed rate, and that rate is dC/d(gear). Each gear
shows its forward value on top and its gradient at the bottom; forward arrows run left to
right, gradient arrows right to left.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, Polygon

from ._common import BACKWARD, FORWARD, fmt_array, new_axes

SPACING = 4.2        # least distance between chain gears (data units); wider when labels need it
ROW = 5.0            # distance from the chain row to a row of side gears
CHAIN_R, SIDE_R = 1.0, 0.72
GAP = 0.22           # half the distance between a forward arrow and its gradient arrow
UNIT_INCHES = 0.4    # figure inches per data unit when the figure is created here
TEXT = dict(family="monospace", fontsize=8.5, linespacing=1.15)
LINE = 8.5 * 1.15 * 1.2 / (72 * UNIT_INCHES)  # height of one text line in data units
CHAR = 8.5 * 0.61 / (72 * UNIT_INCHES)        # width of one monospace character in data units
SHIFT = 0.4          # how far a "left"/"right" text block sits from the gear's vertical axis


def _gear_outline(cx: float, cy: float, r: float, teeth: int) -> np.ndarray:
    """Vertices of a gear of pitch radius r with square-ish teeth: (4 * teeth, 2)."""
    depth = 0.16 * r
    step = 2 * np.pi / teeth
    points = []
    for k in range(teeth):
        a = k * step + step / 4  # start half a gap after 0 so the outline is symmetric
        for angle, radius in ((a, r - depth / 2), (a + 0.12 * step, r + depth / 2),
                              (a + 0.42 * step, r + depth / 2), (a + 0.54 * step, r - depth / 2)):
            points.append((cx + radius * np.cos(angle), cy + radius * np.sin(angle)))
    return np.array(points)


def _draw_gear(ax, cx: float, cy: float, r: float, name: str, kind: str) -> None:
    face = {"chain": "#dfe4ea", "cost": "#f6d58e", "side": "#cfe8d5"}[kind]
    edge = {"chain": "#4a5561", "cost": "#8a6411", "side": "#2f6b3c"}[kind]
    teeth = 14 if r >= CHAIN_R else 10
    ax.add_patch(Polygon(_gear_outline(cx, cy, r, teeth), closed=True, facecolor=face, edgecolor=edge,
                         linewidth=1.4, zorder=2))
    ax.add_patch(Circle((cx, cy), 0.62 * r, facecolor="white", edgecolor=edge, linewidth=1.0, zorder=2.1))
    ax.text(cx, cy, name, ha="center", va="center", fontsize=12 if r >= CHAIN_R else 10.5,
            fontweight="bold", color="#1d232a", zorder=3)


def _arrow(ax, start, end, color: str) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=13, color=color,
                                 linewidth=1.8, shrinkA=0, shrinkB=0, zorder=1.5))


def _local_text(local) -> str:
    """The optional local-derivative note, split at " = " onto two lines when long."""
    local = str(local)
    if len(local) > 12 and " = " in local:  # keep blocks narrow: "dZ1/dW1 =" over "X^T"
        head, tail = local.split(" = ", 1)
        local = f"{head} =\n{tail}"
    return local


def _annotate(ax, x, y, name: str, value, grad, local, value_at: str, grad_at: str, r: float) -> None:
    """Value block on top and gradient block at the bottom of the gear at (x, y).

    value_at / grad_at: "centre" (straight above / below) or "left" / "right" of the vertical arrows.
    """
    offset = r + 0.32
    for block, where, above, color in ((f"{name} =\n{fmt_array(value)}", value_at, True, FORWARD),
                                       (f"dC/d{name} =\n{fmt_array(grad)}", grad_at, False, BACKWARD)):
        dx, ha = {"centre": (0.0, "center"), "right": (SHIFT, "left"), "left": (-SHIFT, "right")}[where]
        text = ax.text(x + dx, y + offset if above else y - offset, block, ha=ha, va="bottom" if above else "top",
                       color=color, zorder=3, **TEXT)
        if not above and local:  # the note hangs under the gradient block, aligned with it
            anchor = {"left": 0.0, "center": 0.5, "right": 1.0}[ha]
            ax.annotate(_local_text(local), xy=(anchor, 0.0), xycoords=text, xytext=(0, -3),
                        textcoords="offset points", ha=ha, va="top", fontsize=8, fontstyle="italic",
                        color="#555555", zorder=3)


def _height(gear, above: bool) -> float:
    """Height in data units of the text block above (value) or below (gradient and note) a gear."""
    if above:
        return (1 + fmt_array(gear["value"]).count("\n") + 1) * LINE
    lines = 1 + fmt_array(gear["grad"]).count("\n") + 1
    note = (_local_text(gear["local"]).count("\n") + 1) * LINE if gear.get("local") else 0.0
    return lines * LINE + note + 0.1


def _span(gear, value_at: str, grad_at: str) -> tuple[float, float]:
    """Horizontal extent (left, right) of a chain gear's text blocks, relative to its centre."""
    lines = {value_at: [f"{gear['name']} ="] + fmt_array(gear["value"]).split("\n")}
    grad = [f"dC/d{gear['name']} ="] + fmt_array(gear["grad"]).split("\n")
    grad += _local_text(gear["local"]).split("\n") if gear.get("local") else []
    lines[grad_at] = lines.get(grad_at, []) + grad
    left, right = -CHAIN_R, CHAIN_R
    for where, block in lines.items():
        width = CHAR * max(len(line) for line in block)
        lo, hi = {"centre": (-width / 2, width / 2), "right": (SHIFT, SHIFT + width),
                  "left": (-SHIFT - width, -SHIFT)}[where]
        left, right = min(left, lo), max(right, hi)
    return left, right


def _check_gear(where: str, label: str, gear, required: tuple[str, ...]) -> None:
    if not isinstance(gear, dict):
        raise ValueError(f"{where}: {label} must be a dict with keys {required}, got {type(gear).__name__}.")
    missing = [key for key in required if key not in gear]
    if missing:
        raise ValueError(f"{where}: {label} is missing {missing}; each gear needs keys {required}.")
    for key in ("value", "grad"):
        if gear[key] is None:
            raise ValueError(f"{where}: {label} ({gear['name']!r}) has {key}=None; compute it first.")
        try:
            np.asarray(gear[key], dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{where}: {label} ({gear['name']!r}) {key} must be a number or a numeric "
                             f"array.") from None
    value_shape, grad_shape = np.shape(gear["value"]), np.shape(gear["grad"])
    if value_shape != grad_shape:
        raise ValueError(f"{where}: the gradient of {gear['name']!r} has shape {grad_shape} but its value has shape "
                         f"{value_shape}; dC/d{gear['name']} must have the shape of {gear['name']}.")


def _validate(where: str, stages, side) -> dict:
    """Check stages and side gears; return {chain name: [side gears, at most 2]}."""
    if not isinstance(stages, (list, tuple)) or len(stages) < 2:
        raise ValueError(f"{where}: stages must be a list of at least 2 gear dicts from input to cost, "
                         f"got {stages!r:.80}.")
    names = []
    for i, stage in enumerate(stages):
        _check_gear(where, f"stages[{i}]", stage, ("name", "value", "grad"))
        names.append(str(stage["name"]))
    cost = stages[-1]
    if np.size(cost["value"]) != 1:
        raise ValueError(f"{where}: the last stage is the cost and must be a single number, but "
                         f"{cost['name']!r} has shape {np.shape(cost['value'])}.")
    if not np.isclose(float(np.asarray(cost["grad"], dtype=float).ravel()[0]), 1.0):
        raise ValueError(f"{where}: the last stage is the cost C, so its grad dC/dC must be 1, "
                         f"got {cost['grad']!r}.")
    attached = {name: [] for name in names}
    for i, gear in enumerate(side or []):
        _check_gear(where, f"side[{i}]", gear, ("name", "attach", "value", "grad"))
        if str(gear["attach"]) not in attached:
            raise ValueError(f"{where}: side[{i}] ({gear['name']!r}) attaches to {gear['attach']!r}, which is not "
                             f"a stage; stage names are {names}.")
        attached[str(gear["attach"])].append(gear)
        names.append(str(gear["name"]))
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"{where}: gear names must be unique, {duplicates} appear more than once.")
    for name, gears in attached.items():
        if len(gears) > 2:
            raise ValueError(f"{where}: at most 2 side gears can mesh with one stage (drawn below and above it); "
                             f"{name!r} has {len(gears)}: {[g['name'] for g in gears]}.")
    return attached


def plot_gears(stages: list, title: str | None = None, ax=None, side: list | None = None):
    """Backprop as gears: dC/d(gear) is how far the cost gear turns per turn of that gear.

    stages: chain from input to cost, each ``{"name", "value", "grad", "local" (optional)}``; the last is
    the cost C with grad 1. side: parameter gears ``{"name", "attach", "value", "grad", "local"?}`` meshed
    with the stage named by ``attach`` (the first is drawn below it, a second above it).
    value and grad: numbers or arrays of the same shape; arrays of up to 4 entries are shown in full.
    """
    where = "plot_gears"
    attached = _validate(where, stages, side)
    n = len(stages)
    places = []   # where each chain gear's value and gradient blocks go
    for stage in stages:
        gears = attached[str(stage["name"])]
        places.append(("right" if len(gears) >= 2 else "centre", "right" if gears else "centre"))
    spans = [_span(stage, *place) for stage, place in zip(stages, places)]
    spacing = max([SPACING] + [a[1] - b[0] + 0.35 for a, b in zip(spans, spans[1:])])
    left = min(-CHAIN_R - 1.6 - (1.7 if attached[str(stages[0]["name"])] else 0.0), spans[0][0] - 0.2)
    right = max((n - 1) * spacing + CHAIN_R + 1.6 + (1.7 if attached[str(stages[-1]["name"])] else 0.0),
                (n - 1) * spacing + spans[-1][1] + 0.2)
    sides = list(attached.values())
    top = max([CHAIN_R + 0.5 + _height(stage, True) for stage in stages]
              + [ROW + SIDE_R + 0.5 + _height(gears[1], True) for gears in sides if len(gears) >= 2])
    bottom = -max([CHAIN_R + 0.5 + _height(stage, False) for stage in stages]
                  + [ROW + SIDE_R + 0.5 + _height(gears[0], False) for gears in sides if gears])
    fig, ax = new_axes(ax, ((right - left) * UNIT_INCHES, (top - bottom) * UNIT_INCHES + 0.7))

    for i, (stage, (value_at, grad_at)) in enumerate(zip(stages, places)):
        x, name = i * spacing, str(stage["name"])
        gears = attached[name]
        _draw_gear(ax, x, 0.0, CHAIN_R, name, "cost" if i == n - 1 else "chain")
        _annotate(ax, x, 0.0, name, stage["value"], stage["grad"], stage.get("local"),
                  value_at=value_at, grad_at=grad_at, r=CHAIN_R)
        if i + 1 < n:
            a, b = x + CHAIN_R + 0.25, x + spacing - CHAIN_R - 0.25
            _arrow(ax, (a, GAP), (b, GAP), FORWARD)
            _arrow(ax, (b, -GAP), (a, -GAP), BACKWARD)
        for k, gear in enumerate(gears):
            sign = -1.0 if k == 0 else 1.0  # first below, second above
            y = sign * ROW
            side_name = str(gear["name"])
            _draw_gear(ax, x, y, SIDE_R, side_name, "side")
            _annotate(ax, x, y, side_name, gear["value"], gear["grad"], gear.get("local"),
                      value_at="left" if sign < 0 else "centre", grad_at="centre" if sign < 0 else "left",
                      r=SIDE_R)
            near_side, near_chain = y - sign * (SIDE_R + 0.25), sign * (CHAIN_R + 0.25)
            _arrow(ax, (x - GAP, near_side), (x - GAP, near_chain), FORWARD)
            _arrow(ax, (x + GAP, near_chain), (x + GAP, near_side), BACKWARD)

    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.set_aspect("equal")
    ax.set_axis_off()
    handles = [Line2D([], [], color=FORWARD, linewidth=2, marker=">", markersize=7, label="forward: value (top)"),
               Line2D([], [], color=BACKWARD, linewidth=2, marker="<", markersize=7,
                      label="backward: gradient dC/d(gear) (bottom)")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=2, frameon=False, fontsize=9)
    ax.set_title(title or "Backprop as gears: each gradient is how fast the cost turns")
    return fig
