"""Line drawings of the starter exercises, as data: a head, a spine and limbs in a 120 x 70
box (y grows downward, the floor at y = 62). The screen (QPainter) and the printed care plan
(ReportLab) draw the same figure from these points, so they never disagree.

Limbs on the far side of the body are drawn lighter, as a reader expects of a side view.
"""

from __future__ import annotations

from dataclasses import dataclass

Point = tuple[float, float]

WIDTH, HEIGHT, FLOOR = 120.0, 70.0, 62.0
HEAD_RADIUS = 5.0


@dataclass(frozen=True)
class Figure:
    head: Point
    spine: tuple[Point, ...]  # neck to hip; more points for a rounded back
    near: tuple[tuple[Point, ...], ...]  # limbs on the near side: each shoulder/hip outward
    far: tuple[tuple[Point, ...], ...] = ()
    arrows: tuple[tuple[Point, ...], ...] = ()  # movement to make; the head is at the end
    on_floor: bool = True


# Shared poses: lying on the back with knees bent, and on hands and knees.
_SUPINE_HEAD, _SUPINE_NECK, _SUPINE_HIP = (12.0, 53.0), (21.0, 56.0), (56.0, 57.0)
_BENT_LEG = (_SUPINE_HIP, (73.0, 40.0), (88.0, 60.0))
_ARM_AT_SIDE = (_SUPINE_NECK, (35.0, 59.0), (49.0, 60.0))

FIGURES: dict[str, Figure] = {
    "pelvic_tilt": Figure(
        head=_SUPINE_HEAD,
        spine=(_SUPINE_NECK, (40.0, 55.0), _SUPINE_HIP),
        near=(_BENT_LEG, _ARM_AT_SIDE),
        far=(((_SUPINE_HIP, (75.0, 41.0), (91.0, 60.0))),),
        arrows=(((44.0, 47.0), (44.0, 53.0)),),
    ),
    "knee_to_chest": Figure(
        head=_SUPINE_HEAD,
        spine=(_SUPINE_NECK, _SUPINE_HIP),
        near=(
            (_SUPINE_HIP, (50.0, 35.0), (66.0, 42.0)),
            (_SUPINE_NECK, (34.0, 44.0), (49.0, 37.0)),
        ),
        far=(_BENT_LEG,),
        arrows=(((70.0, 30.0), (60.0, 27.0), (53.0, 29.0)),),
    ),
    "cat_cow": Figure(
        head=(24.0, 41.0),
        spine=((34.0, 34.0), (52.0, 24.0), (72.0, 34.0)),
        near=(
            ((34.0, 34.0), (34.0, 47.0), (34.0, 61.0)),
            ((72.0, 34.0), (72.0, 61.0), (95.0, 61.0)),
        ),
        far=(((72.0, 34.0), (75.0, 61.0), (98.0, 61.0)),),
        arrows=(((52.0, 17.0), (52.0, 10.0)),),
    ),
    "bird_dog": Figure(
        head=(30.0, 30.0),
        spine=((40.0, 34.0), (74.0, 34.0)),
        near=(
            ((40.0, 34.0), (40.0, 47.0), (40.0, 61.0)),
            ((74.0, 34.0), (74.0, 61.0), (96.0, 61.0)),
        ),
        far=(
            ((40.0, 34.0), (24.0, 33.0), (8.0, 31.0)),
            ((74.0, 34.0), (92.0, 35.0), (112.0, 34.0)),
        ),
    ),
    "bridge": Figure(
        head=(12.0, 55.0),
        spine=((21.0, 57.0), (40.0, 48.0), (58.0, 40.0)),
        near=(
            ((58.0, 40.0), (77.0, 33.0), (88.0, 60.0)),
            ((21.0, 57.0), (35.0, 60.0), (48.0, 60.0)),
        ),
        far=(((58.0, 40.0), (79.0, 35.0), (91.0, 60.0)),),
        arrows=(((58.0, 56.0), (58.0, 47.0)),),
    ),
    "prone_press_up": Figure(
        head=(21.0, 26.0),
        spine=((29.0, 33.0), (45.0, 48.0), (64.0, 57.0)),
        near=(
            ((29.0, 33.0), (31.0, 47.0), (33.0, 60.0)),
            ((64.0, 57.0), (85.0, 59.0), (106.0, 60.0)),
        ),
        far=(((64.0, 57.0), (86.0, 58.0), (108.0, 58.0)),),
        arrows=(((16.0, 44.0), (16.0, 36.0)),),
    ),
    "abdominal_bracing": Figure(
        head=_SUPINE_HEAD,
        spine=(_SUPINE_NECK, (40.0, 55.0), _SUPINE_HIP),
        near=(_BENT_LEG, (_SUPINE_NECK, (33.0, 47.0), (45.0, 52.0))),
        far=(((_SUPINE_HIP, (75.0, 41.0), (91.0, 60.0))),),
    ),
    "lower_trunk_rotation": Figure(
        head=_SUPINE_HEAD,
        spine=(_SUPINE_NECK, _SUPINE_HIP),
        near=(((_SUPINE_HIP, (72.0, 46.0), (88.0, 60.0))), _ARM_AT_SIDE),
        far=(((_SUPINE_HIP, (74.0, 48.0), (91.0, 60.0))),),
        arrows=(((80.0, 30.0), (88.0, 36.0), (90.0, 44.0)),),
    ),
    "childs_pose": Figure(
        head=(45.0, 54.0),
        spine=((55.0, 51.0), (72.0, 42.0), (90.0, 43.0)),
        near=(
            ((90.0, 43.0), (70.0, 60.0), (98.0, 61.0)),
            ((55.0, 51.0), (37.0, 58.0), (16.0, 60.0)),
        ),
        far=(((55.0, 51.0), (36.0, 56.0), (14.0, 57.0)),),
    ),
    "hamstring_stretch": Figure(
        head=_SUPINE_HEAD,
        spine=(_SUPINE_NECK, _SUPINE_HIP),
        near=(
            (_SUPINE_HIP, (60.0, 34.0), (64.0, 11.0)),
            (_SUPINE_NECK, (38.0, 45.0), (57.0, 40.0)),
        ),
        far=(((_SUPINE_HIP, (78.0, 59.0), (101.0, 60.0))),),
    ),
    "walking_program": Figure(
        head=(60.0, 8.0),
        spine=((60.0, 15.0), (60.0, 38.0)),
        near=(
            ((60.0, 38.0), (68.0, 49.0), (73.0, 61.0)),
            ((60.0, 16.0), (55.0, 26.0), (51.0, 35.0)),
        ),
        far=(
            ((60.0, 38.0), (54.0, 50.0), (47.0, 60.0)),
            ((60.0, 16.0), (65.0, 26.0), (71.0, 33.0)),
        ),
        arrows=(((84.0, 30.0), (100.0, 30.0)),),
    ),
}


def figure_for(key: str | None) -> Figure | None:
    """The built-in drawing of a starter exercise; None for a clinic's own exercise."""
    return FIGURES.get(key) if key else None
