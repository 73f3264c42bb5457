from inquest.errors import InputError, InputErrors, InputProblem, ProblemLog


def test_input_error_names_file_row_and_field() -> None:
    err = InputError("not a date", path="lists/a.csv", row=12, field="death_date")
    assert str(err) == "lists/a.csv, row 12, field 'death_date': not a date"
    assert (err.path, err.row, err.field) == ("lists/a.csv", 12, "death_date")


def test_input_errors_collects_all_problems() -> None:
    problems = [InputProblem("empty", path="a.csv", row=i, field="record_id") for i in range(30)]
    err = InputErrors(problems, limit=5)
    assert len(err) == 30
    assert "30 problem(s)" in str(err)
    assert "and 25 more" in str(err)


def test_a_problem_log_keeps_the_first_and_counts_the_rest() -> None:
    log = ProblemLog(keep=3)
    log.extend(InputProblem("beyond the header", path="a.xlsx", row=i) for i in range(1, 11))
    assert [p.row for p in log] == [1, 2, 3] and log.total == 10 and log.omitted == 7
    err = InputErrors.from_log(log)
    assert err.total == 10 and len(err.problems) == 3
    assert str(err).startswith("10 problem(s)") and "and 7 more" in str(err)
