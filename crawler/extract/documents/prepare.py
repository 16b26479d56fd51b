"""A photographed or scanned page made to look like a clean screenshot before its grid is read.

* **Light**: the paper's brightness is estimated by a grey closing (a maximum filter wider than any
  character or rule, so ink vanishes from it) and divided out, so the paper is white everywhere — a
  lamp off to one side, a grey scan, a shaded header band. Ink keeps its contrast to the paper.
* **Skew**: the angle of the long, nearly horizontal rules (the least-squares slope of each long
  run of rule ink, up to 5°) is measured and the page rotated back, so that rules are rows and
  columns of pixels again and the morphology that finds them (``rules.rule_masks``) works as on a
  screenshot.
"""

from __future__ import annotations

import math

import numpy as np

_MAX_SKEW = 5.0  # degrees: beyond this a "rule" is more likely a diagonal in a chart
_MIN_SKEW = 0.08  # degrees: below this a rotation only blurs
_ANGLE_WIDTH = 1400  # px: the skew is measured on a copy no wider than this
_THIN = 11  # px: wider than any rule (the same top-hat as rules.rule_masks)
_FAINT = 22  # grey levels a thin line must be darker than its sides to count as a rule
_STEP = 21  # px: shorter than the level run of a 1-px rule tilted by the largest skew we level


def prepare_page(gray: np.ndarray) -> np.ndarray:
    """The page with even light and its rules level."""
    flat = flatten_light(gray)
    angle = skew_angle(flat)
    return rotate(flat, angle) if abs(angle) >= _MIN_SKEW else flat


def flatten_light(gray: np.ndarray) -> np.ndarray:
    """``gray`` divided by its paper brightness: the paper 255 everywhere, ink as dark as it was."""
    import cv2

    height, width = gray.shape
    # the paper varies slowly: estimated on a copy a quarter the size (16× fewer pixels to filter)
    small = cv2.resize(gray, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA)
    size = max(9, (min(height, width) // 96) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    paper = cv2.blur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel), (size, size))
    paper = cv2.resize(paper, (width, height), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    flat = gray.astype(np.float32) * 255.0 / np.maximum(paper, 1.0)
    return np.clip(flat, 0, 255).astype(np.uint8)


def skew_angle(flat: np.ndarray) -> float:
    """The median angle (degrees, positive = clockwise on screen) of the long nearly level rules."""
    import cv2

    height, width = flat.shape
    factor = min(1.0, _ANGLE_WIDTH / max(1, width))
    small = cv2.resize(flat, (int(width * factor), int(height * factor)), interpolation=cv2.INTER_AREA) \
        if factor < 1.0 else flat
    mask = (small < 200) | (_thin_lines(small) > _FAINT)
    ink: np.ndarray = mask.astype(np.uint8) * 255
    # a horizontal opening as long as the steps of a rule skewed 2° (28 px a pixel of height):
    # it keeps the rules and drops the text
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (_STEP, 1)))
    length = max(40, small.shape[1] // 5)
    # each long run of rule ink (8-connected: the steps of a tilted rule join) is one rule; its
    # angle is the least-squares slope of its pixels
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    angles, weights = [], []
    for index in np.flatnonzero(stats[:, cv2.CC_STAT_WIDTH] >= length):
        if index == 0:
            continue
        x, y, w, h, _ = stats[index]
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == index)
        if h > w * math.tan(math.radians(_MAX_SKEW)) + 4:
            continue  # a table's outline joined to its rules, not one rule
        angle = math.degrees(math.atan(np.polyfit(xs, ys, 1)[0]))
        angles.append(angle)
        weights.append(float(w))
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cumulative = np.cumsum(np.asarray(weights)[order])
    return float(np.asarray(angles)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def _thin_lines(small: np.ndarray) -> np.ndarray:
    """How much darker each pixel is than what lies around it (a black top-hat wider than a rule).

    A low-contrast photo of a grey-bordered sheet leaves its rules lighter than any fixed ink level
    (around 215 of 255); against the paper beside them they still stand out."""
    import cv2

    return cv2.morphologyEx(small, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (_THIN, _THIN)))


def rotate(flat: np.ndarray, angle: float) -> np.ndarray:
    """``flat`` turned by ``angle`` degrees about its centre (paper-white corners), same size."""
    import cv2

    height, width = flat.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(flat, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=255)
