# The reference values of `replay_matches_py_fsrs_recorded_values` (crates/core/src/study/schedule.rs):
# `pip install fsrs==6.3.2 && python3 xtask/fsrs/py_fsrs_reference.py` prints the stability and
# difficulty py-fsrs gives each history, without fuzz, FSRS-6 default parameters.
from datetime import datetime, timedelta, timezone
from fsrs import Scheduler, Card, Rating
import fsrs
s = Scheduler(enable_fuzzing=False, desired_retention=0.9)
print("params", list(s.parameters))
t0 = datetime(2026,1,1,9,0,tzinfo=timezone.utc)
day = timedelta(days=1); hour = timedelta(hours=1)
G = {1:Rating.Again,2:Rating.Hard,3:Rating.Good,4:Rating.Easy}
histories = [
  [(t0,3),(t0+3*day,3),(t0+10*day,2)],
  [(t0,1),(t0+hour,3),(t0+2*day,4)],
  [(t0,3),(t0+2*hour,1),(t0+5*hour,3),(t0+30*day,1)],
  [(t0,4),(t0+15*day,3),(t0+60*day,3),(t0+200*day,2),(t0+201*day,4)],
  [(t0,2),(t0+10*timedelta(minutes=1),2),(t0+day,1),(t0+day+hour,3),(t0+8*day,3)],
]
for h in histories:
    c = Card()
    for at,g in h:
        c,_ = s.review_card(c, G[g], review_datetime=at)
    print(f"{c.stability!r}, {c.difficulty!r}")
