"""The page's colours: defined once (custom properties on :root in app.css) and told apart
under colour-blindness simulation. That no chart uses colour as its only cue is checked in the
browser, on what the canvases draw (tests/e2e/test_canvas_cues.py).

Simulation: Machado, Oliveira and Fernandes (2009), severity 1.0 (protanopia, deuteranopia,
tritanopia), applied to linear RGB; differences are CIE76 ΔE in CIELAB (D65). For scale: a ΔE
of about 2.3 is just noticeable; the classic red / green pair (#d62728 / #2ca02c) keeps only
7 under deuteranopia, which ``test_the_simulation_flags_a_red_green_pair`` checks.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
STATIC = WEB / "static"

MACHADO = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}
VISIONS = ["typical", *MACHADO]

# Truth and prediction: normal vs abnormal (ECG lab, train page), attack vs normal (stream
# piles), and the same pair on the stream's dark feed. Must stay far apart.
TRUTH_PAIRS = [
    ("--normal", "--abnormal"),
    ("--normal-light", "--abnormal"),
    ("--normal-on-dark", "--abnormal-on-dark"),
]
TRUTH_MIN_DELTA_E = 40.0
# Lines drawn together in one chart (beat / reconstruction / mean normal beat / strokes); each
# also differs by dash pattern, so a smaller (still obvious) colour difference is enough.
LINE_PAIRS = [
    ("--ink", "--recon"),
    ("--ink", "--normal"),
    ("--recon", "--normal"),
    ("--recon", "--abnormal"),
    ("--stroke", "--ink"),
    ("--stroke", "--recon"),
]
LINE_MIN_DELTA_E = 15.0
# Colours that draw lines, marks and axis text on the white chart background: WCAG 1.4.11
# asks 3:1 for graphics. --normal-light is left out on purpose: the stream's piles draw
# normal connections as small light squares so that the attacks (large, dark) stand out;
# size is their cue, and every pile's counts are also given as text.
ON_WHITE = ["--ink", "--muted", "--normal", "--abnormal", "--recon"]
MIN_GRAPHIC_CONTRAST = 3.0
# Meaning-carrying colours that must be defined only in app.css.
PALETTE = [
    "--ink",
    "--muted",
    "--line",
    "--normal",
    "--abnormal",
    "--recon",
    "--normal-light",
    "--normal-on-dark",
    "--abnormal-on-dark",
    "--stroke",
]


def root_properties(css: str) -> dict[str, str]:
    """Custom properties declared in the ``:root`` blocks of a stylesheet."""
    out: dict[str, str] = {}
    for block in re.findall(r":root\s*\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        for name, value in re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", block):
            out[name] = value.strip()
    return out


@pytest.fixture(scope="module")
def palette() -> dict[str, str]:
    return root_properties((STATIC / "css" / "app.css").read_text(encoding="utf-8"))


def linear_rgb(hex_colour: str) -> np.ndarray:
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", hex_colour), hex_colour
    c = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def simulate(hex_colour: str, vision: str) -> np.ndarray:
    rgb = linear_rgb(hex_colour)
    if vision == "typical":
        return rgb
    return np.clip(np.array(MACHADO[vision]) @ rgb, 0.0, 1.0)


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    to_xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    )
    t = (to_xyz @ rgb_linear) / (to_xyz @ np.ones(3))
    d = 6 / 29
    f = np.where(t > d**3, np.cbrt(t), t / (3 * d * d) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str, vision: str) -> float:
    return float(np.linalg.norm(lab(simulate(a, vision)) - lab(simulate(b, vision))))


def contrast(a: str, b: str) -> float:
    lum = [float(linear_rgb(c) @ [0.2126, 0.7152, 0.0722]) for c in (a, b)]
    return (max(lum) + 0.05) / (min(lum) + 0.05)


def test_the_simulation_flags_a_red_green_pair() -> None:
    assert delta_e("#d62728", "#2ca02c", "typical") > 100
    assert delta_e("#d62728", "#2ca02c", "deuteranopia") < TRUTH_MIN_DELTA_E / 4
    assert delta_e("#d62728", "#2ca02c", "protanopia") < TRUTH_MIN_DELTA_E
    # and the simulation leaves greys alone
    assert delta_e("#777777", "#777777", "tritanopia") == 0
    assert np.allclose(simulate("#808080", "protanopia"), linear_rgb("#808080"), atol=1e-3)


@pytest.mark.parametrize("vision", VISIONS)
def test_truth_and_prediction_colours_stay_apart(palette: dict[str, str], vision: str) -> None:
    for a, b in TRUTH_PAIRS:
        d = delta_e(palette[a], palette[b], vision)
        assert d >= TRUTH_MIN_DELTA_E, (
            f"{a} {palette[a]} vs {b} {palette[b]} ({vision}): ΔE {d:.1f}"
        )


@pytest.mark.parametrize("vision", VISIONS)
def test_lines_drawn_together_stay_apart(palette: dict[str, str], vision: str) -> None:
    for a, b in LINE_PAIRS:
        d = delta_e(palette[a], palette[b], vision)
        assert d >= LINE_MIN_DELTA_E, f"{a} {palette[a]} vs {b} {palette[b]} ({vision}): ΔE {d:.1f}"


def test_chart_colours_stand_out_from_the_background(palette: dict[str, str]) -> None:
    for name in ON_WHITE:
        for background in ("#ffffff", palette["--card"], palette["--bg"]):
            ratio = contrast(palette[name], background)
            assert ratio >= MIN_GRAPHIC_CONTRAST, f"{name} on {background}: {ratio:.2f}:1"


def test_dark_feed_colours_read_on_the_terminal(palette: dict[str, str]) -> None:
    stream = root_properties((STATIC / "css" / "stream.css").read_text(encoding="utf-8"))
    for name in ("--normal-on-dark", "--abnormal-on-dark"):
        ratio = contrast(palette[name], stream["--term"])
        assert ratio >= 4.5, f"{name} on {stream['--term']}: {ratio:.2f}:1 (text needs 4.5:1)"


def test_the_palette_is_defined_once(palette: dict[str, str]) -> None:
    """Every palette colour is a hex value in app.css and appears nowhere else in web/ (neither
    as hex nor as an rgb() triple); the canvases read the same custom properties (the cue
    tests compare what they draw with these values)."""
    triples = {}
    for name in PALETTE:
        value = palette.get(name, "")
        assert re.fullmatch(r"#[0-9a-fA-F]{6}", value), f"{name} missing or not #rrggbb in app.css"
        r, g, b = (int(value[i : i + 2], 16) for i in (1, 3, 5))
        triples[name] = re.compile(rf"\b{r}\s*,\s*{g}\s*,\s*{b}\b")
    app_css = STATIC / "css" / "app.css"
    files = [
        f
        for f in [*STATIC.rglob("*.js"), *STATIC.rglob("*.css"), *WEB.glob("templates/*.html")]
        if f != app_css
    ]
    assert len(files) > 10
    found = []
    for f in files:
        text = f.read_text(encoding="utf-8")
        for name in PALETTE:
            if palette[name].lower() in text.lower() or triples[name].search(text):
                found.append(f"{f.relative_to(WEB)}: {name} {palette[name]}")
    assert not found, "palette colours defined outside app.css:\n" + "\n".join(found)


def test_css_verdicts_carry_a_symbol() -> None:
    css = (STATIC / "css" / "app.css").read_text(encoding="utf-8")
    assert re.search(r'\.verdict\.abnormal::before\s*\{\s*content:\s*"▲ "', css)
    assert re.search(r'\.verdict\.normal::before\s*\{\s*content:\s*"● "', css)
