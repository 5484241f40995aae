"""Write tests/reference/data/baby_survey.csv, the input of tests/reference/survey_rooms.R.

The bundled synthetic survey (434 respondents describing 400 rooms, 34 rooms described by
more than one respondent), the columns the room-level indicators use, and a made-up
sampling weight ``w`` (deterministic, between 1 and 3.5). Run once from the repository
root: ``.venv/bin/python tests/reference/baby_survey_data.py``; the CSV is committed so that
R and Python read the very same numbers.
"""

from pathlib import Path

import numpy as np

COLUMNS = ["respondent_id", "role", "setting_id", "room_id", "setting_type", "region",
           "group_size", "staff_in_room", "staff_level3", "staff_level2",
           "staff_baby_trained", "cpd_baby_past_year"]


def main() -> None:
    from baby_room import synthetic

    survey = synthetic.survey()[COLUMNS].copy()
    survey["w"] = 1 + (np.arange(len(survey)) * 7 % 11) / 4
    out = Path(__file__).parent / "data" / "baby_survey.csv"
    survey.to_csv(out, index=False)
    print(f"wrote {out} ({len(survey)} rows)")


if __name__ == "__main__":
    main()
