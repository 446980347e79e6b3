"""Estimate the effect of training on a panel from a CSV file, for scripts and reproduction.

    python manage.py evaluation_estimate --panel panel.csv --method cs --json

The CSV has the columns unit, period (an integer), outcome and first_treated (the first
treated period, 0 for never treated).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from evaluation import estimators


class Command(BaseCommand):
    help = "Estimate the effect of training on a panel (CSV: unit, period, outcome, first_treated)."

    def add_arguments(self, parser):
        parser.add_argument("--panel", required=True, help="CSV file with the panel")
        parser.add_argument("--method", choices=estimators.METHODS, default="cs")
        parser.add_argument(
            "--comparison", choices=("never_treated", "not_yet_treated"), default="never_treated"
        )
        parser.add_argument("--bootstrap", type=int, default=999, help="replications (cs, bjs)")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, **options):
        import pandas as pd

        try:
            panel = pd.read_csv(options["panel"])
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {options['panel']}: {exc}") from exc
        try:
            result = estimators.estimate(
                panel,
                options["method"],
                comparison=options["comparison"],
                n_bootstrap=options["bootstrap"],
                seed=options["seed"],
            )
        except estimators.PanelError as exc:
            raise CommandError(str(exc)) from exc
        keys = ("method", "att", "se", "ci_low", "ci_high")
        out = {k: result[k] for k in keys}
        out["event_study"] = [
            {k: row[k] for k in ("event_time", "att", "se", "ci_low", "ci_high")}
            for row in result["event_study"]
        ]
        if options["json"]:
            self.stdout.write(json.dumps(out, indent=2))
            return
        self.stdout.write(
            f"{out['method']}: ATT {out['att']:.3f} (SE {out['se']:.3f}, "
            f"95% CI {out['ci_low']:.3f} to {out['ci_high']:.3f})"
        )
        for row in out["event_study"]:
            se = "" if row["se"] is None else f" ({row['se']:.3f})"
            self.stdout.write(f"  e={row['event_time']:+d}: {row['att']:.3f}{se}")
