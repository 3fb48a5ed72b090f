"""CLI for national aggregation: ``trappen national keygen|export|import|list`` (docs/national.md).

A municipality generates a key pair and exports signed, disclosure-controlled KPI bundles; a
national instance holds the public keys and imports bundles into its store.
"""

from __future__ import annotations

from pathlib import Path

import typer

YEARS_HELP = "Calendar years: 2025, 2023,2025 or 2021-2025."


def _years(text: str) -> list[int]:
    """``2025``, ``2023,2025`` or ``2021-2025`` as a list of years; ValueError naming the text."""
    years: set[int] = set()
    try:
        for part in text.split(","):
            first, _, last = part.strip().partition("-")
            start, end = int(first), int(last or first)
            if not 1900 <= start <= end <= 2100:
                raise ValueError
            years.update(range(start, end + 1))
    except ValueError:
        raise ValueError(f"--years must look like 2025, 2023,2025 or 2021-2025, got {text!r}") from None
    return sorted(years)


def _read(path: Path) -> bytes:
    """The file's bytes; a directory or an unreadable file is a one-line error (FileNotFoundError passes)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ValueError(f"cannot read {path} ({exc.strerror})") from None


def register(app: typer.Typer) -> None:
    """Add the ``national`` command group to ``app``."""
    group = typer.Typer(help="National aggregation: keys, signed KPI bundles, import into a national store.",
                        no_args_is_help=True)

    @group.command("keygen")
    def keygen(
        municipality: list[str] = typer.Option(..., "--municipality", help="Municipality code (three digits); "
                                               "repeat for several."),
        out: Path = typer.Option(..., "--out", help="Directory for CODE.key (private, mode 0600) and CODE.pub."),
    ) -> None:
        """Generate an Ed25519 key pair per municipality; give CODE.pub to the national instance."""
        from trappen.cli._common import user_errors

        with user_errors():
            from trappen.national import key_generate, keys_write, municipality_code_check

            for code in municipality:
                municipality_code_check(code)
            for code in municipality:
                private_path, public_path = keys_write(out, municipality_code=code, private_key=key_generate())
                typer.echo(f"{code}: private key {private_path}, public key {public_path}")

    @group.command("export")
    def export(
        municipality: str = typer.Option(..., "--municipality", help="Municipality code (three digits)."),
        key: Path = typer.Option(..., "--key", help="The municipality's private key (CODE.key from keygen)."),
        out: Path = typer.Option(..., "--out", help="Bundle file to write."),
        years: str = typer.Option("2025", "--years", help=YEARS_HELP),
        register_dir: Path | None = typer.Option(None, "--register", help="Read the register from this directory."),
        synthetic: bool = typer.Option(False, "--synthetic", help="Use the synthetic nation's municipality CODE "
                                       "(codes 901-998) instead of a register."),
        children_scale: int = typer.Option(150, "--children-scale", min=20,
                                           help="With --synthetic: median children per municipality."),
        seed: int = typer.Option(1, "--seed", help="With --synthetic: seed of the synthetic nation."),
    ) -> None:
        """Export a signed, disclosure-controlled KPI bundle for the given years."""
        from trappen.cli._common import user_errors

        with user_errors():
            if synthetic == (register_dir is not None):
                raise ValueError("give exactly one of --register DIR and --synthetic")
            from trappen.national import bundle_export, municipality_code_check, private_key_load

            municipality_code_check(municipality)
            year_list = _years(years)
            private_key = private_key_load(_read(key))
            if register_dir is not None:
                from trappen.register import Register

                if not register_dir.is_dir():
                    raise FileNotFoundError(f"no register directory {register_dir}")
                register = Register.read(register_dir)
            else:
                from trappen.synthetic import generate, synthetic_municipalities

                found = [m for m in synthetic_municipalities(children_scale=children_scale, seed=seed)
                         if m.code == municipality]
                if not found:
                    raise ValueError(f"--synthetic: municipality codes are 901-998, got {municipality!r}")
                span = max(1, 2025 - min(year_list) + 1)
                typer.echo(f"Generating synthetic municipality {municipality} ({found[0].children} children, "
                           f"seed {seed})")
                register = generate(children=found[0].children, years=span, seed=found[0].seed)
            data = bundle_export(register, municipality_code=municipality, years=year_list, private_key=private_key)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            typer.echo(f"Wrote {out} ({len(data):,} bytes, years {', '.join(map(str, year_list))})")

    @group.command("import")
    def import_(
        files: list[Path] = typer.Argument(..., help="Bundle files."),
        store: Path = typer.Option(..., "--store", help="The national store directory."),
        keys: Path = typer.Option(..., "--keys", help="Directory of the municipalities' public keys (CODE.pub)."),
    ) -> None:
        """Verify every bundle, then import them (idempotent; a newer bundle replaces an older one)."""
        from trappen.cli._common import user_errors

        with user_errors():
            from collections import Counter

            from trappen.national import bundles_import, public_keys_read

            results = bundles_import(files, store_dir=store, public_keys=public_keys_read(keys))
            counts = Counter(r.action for r in results)
            typer.echo(f"Imported {len(files)} bundles into {store}: " + ", ".join(
                f"{counts.get(a, 0)} {a}" for a in ("added", "replaced", "unchanged", "not_newer")) +
                " (municipality-years)")

    @group.command("list")
    def list_(store: Path = typer.Option(..., "--store", help="The national store directory.")) -> None:
        """List the municipality-years in the national store."""
        from trappen.cli._common import user_errors

        with user_errors():
            from trappen.national import store_list

            table = store_list(store)
            for row in table.iter_rows(named=True):
                typer.echo(f"{row['municipality_code']}  {row['year']}  {row['created']}  "
                           f"{row['kpi_catalogue_version']}  {row['content_sha256'][:12]}")
            typer.echo(f"{table['municipality_code'].n_unique()} municipalities, {table.height} municipality-years")

    _register_context(group)
    app.add_typer(group, name="national")


def _store_option(store: Path | None) -> Path:
    """``--store``, or the national store of the web app's data directory (TRAPPEN_DATA_DIR/national)."""
    if store is not None:
        return store
    import os

    return Path(os.environ.get("TRAPPEN_DATA_DIR", "").strip() or "var").resolve() / "national"


STORE_HELP = "The national store directory (default: TRAPPEN_DATA_DIR/national, the web app's)."


def _register_context(group: typer.Typer) -> None:
    """``trappen national adoption|indicators|statbank|evaluate|demo``."""

    @group.command("adoption")
    def adoption(file: Path = typer.Argument(..., help="CSV: municipality_code,year,source."),
                 store: Path | None = typer.Option(None, "--store", help=STORE_HELP)) -> None:
        """Import the years the municipalities adopted the model (replaces the stored table)."""
        from trappen.cli._common import user_errors

        with user_errors():
            from trappen.national import adoption_import

            rows, changed = adoption_import(file, store_dir=_store_option(store))
            typer.echo(f"{rows} adoption years {'imported' if changed else 'unchanged'}")

    @group.command("indicators")
    def indicators(file: Path = typer.Argument(..., help="CSV: municipality_code,name,<indicators>...,source."),
                   store: Path | None = typer.Option(None, "--store", help=STORE_HELP)) -> None:
        """Import socio-economic indicators per municipality (the peer groups are their nearest neighbours)."""
        from trappen.cli._common import user_errors

        with user_errors():
            from trappen.national import indicators_import

            rows, changed = indicators_import(file, store_dir=_store_option(store))
            typer.echo(f"{rows} municipalities' indicators {'imported' if changed else 'unchanged'}")

    @group.command("statbank")
    def statbank(file: Path = typer.Argument(..., help="A StatBank table downloaded as CSV (semicolon separated)."),
                 table: str = typer.Option(..., "--table", help="The StatBank table id, e.g. AUK01."),
                 title: str = typer.Option(..., "--title", help="What the table counts."),
                 unit: str = typer.Option("", "--unit", help="Its unit, e.g. persons."),
                 store: Path | None = typer.Option(None, "--store", help=STORE_HELP)) -> None:
        """Import a published Danmarks Statistik table beside the bundles."""
        from trappen.cli._common import user_errors

        with user_errors():
            from trappen.national import statbank_import

            rows, changed = statbank_import(file, store_dir=_store_option(store), table=table, title=title,
                                            unit=unit)
            typer.echo(f"{table}: {rows} cells {'imported' if changed else 'unchanged'}")

    @group.command("evaluate")
    def evaluate(kpi: str = typer.Option("SS05_HOME_BASED_PER_1000", "--kpi", help="A KPI code."),
                 synth: str = typer.Option("", "--synth", help="Also a synthetic control for this municipality."),
                 store: Path | None = typer.Option(None, "--store", help=STORE_HELP)) -> None:
        """Staggered DiD across municipalities on the stored adoption years (and a synthetic control)."""
        from trappen.cli._common import user_errors

        with user_errors():
            from trappen.national import adoption_read, national_did, national_synth, store_read

            root = _store_option(store)
            if not (root / "ledger.json").exists():
                raise FileNotFoundError(f"no national store at {root}")
            rows = store_read(root)
            adoption = dict(adoption_read(root).select("municipality_code", "year").iter_rows())
            result, dropped = national_did(rows, adoption=adoption, kpi=kpi)
            o = result.overall.row(0, named=True)
            typer.echo(f"{kpi}: {len(result.units)} municipalities ({len(adoption)} with an adoption year); "
                       f"left out (a hidden or missing year): {', '.join(dropped) or 'none'}")
            typer.echo(f"average effect after adoption {o['att']:.3f} (95% {o['ci_low']:.3f} to {o['ci_high']:.3f}, "
                       f"wild bootstrap p {o['p_wild']:.3f})" if o.get("se") is not None else
                       f"average difference after adoption {o['att']:.3f} (too few adopting for inference)")
            if synth:
                s = national_synth(rows, adoption=adoption, kpi=kpi, treated=synth)
                typer.echo(f"synthetic control for {synth} (from {s.first_treated_year}): average gap after "
                           f"{s.average_post_gap:.3f}, pre-RMSPE {s.pre_rmspe:.3f}, placebo p {s.p_value:.3f}")

    @group.command("demo")
    def demo(municipalities: int = typer.Option(20, "--municipalities", help="How many (1-98)."),
             children_scale: int = typer.Option(600, "--children-scale", help="Median children 0-17."),
             years: int = typer.Option(5, "--years", help="Calendar years, ending 2025."),
             seed: int = typer.Option(1, "--seed"),
             store: Path | None = typer.Option(None, "--store", help=STORE_HELP)) -> None:
        """A synthetic nation in the national store (SYNTHETIC: codes 901-998): bundles, adoption years,
        indicators and a StatBank sample, for the national analyst's demo login."""
        from trappen.cli._common import user_errors

        with user_errors():
            import time

            from trappen.national import nation_demo

            root = _store_option(store)
            t = time.perf_counter()
            made = nation_demo(root, municipalities=municipalities, children_scale=children_scale, years=years,
                               seed=seed)
            typer.echo(f"National store {root}: {made.municipalities} synthetic municipalities, years "
                       f"{made.years[0]}-{made.years[-1]}, {len(made.adopting)} adopting "
                       f"({time.perf_counter() - t:.1f} s). Log in as national_analyst / national_analyst-demo.")
