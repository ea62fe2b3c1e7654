"""Deployment profiles: the five shipped files load; a broken one is refused naming the file, key and problem."""

from __future__ import annotations

import tomllib

import pytest

from gisgrid import create_app
from gisgrid.deployment import ProfileError, load
from gisgrid.deployment.profile import DEPLOYMENTS_DIR, available

PLACES = ("gaochang", "hulin", "panjin", "xicheng", "zhanqian")


def test_the_five_places_ship_and_load():
    assert tuple(available()) == PLACES
    for key in PLACES:
        profile = load(key)
        assert profile.key == key and len(profile.levels) == 3
        assert {c.code for c in profile.matrix} and profile.leading_group.leader.endswith("（示例）")


def test_hulin_numbers_its_levels_from_two():
    hulin = load("hulin")
    assert [lv.number for lv in hulin.levels] == [2, 3, 4]
    assert hulin.level_label(1) == "二级网格 · 市"
    assert hulin.level(3).title == "四级网格" and hulin.level(3).name == "村（居）委会"
    assert hulin.joint_meeting_period == "half_year" and hulin.self_evaluation_period == "year"


def test_levels_and_rules_follow_the_seeds():
    assert [lv.name for lv in load("panjin").levels] == ["市", "县区与经济区", "乡镇街道园区"]
    assert [lv.name for lv in load("xicheng").levels] == ["区", "街道", "社区"]
    assert [lv.name for lv in load("gaochang").levels] == ["区", "乡（镇、场、街道、片区）", "村（社区）"]
    assert load("gaochang").organiser == "top" and load("hulin").organiser == "same_level"
    assert load("gaochang").joint_meeting_period == "quarter" == load("gaochang").self_evaluation_period
    assert load("zhanqian").self_evaluation_period == "year"


def test_only_panjin_restricts_who_designates_unit_grids():
    # 盘锦 seed 001: "一级网格主体可以将……作为本级重点监管单元网格"; the other plans set no rule
    assert load("panjin").unit_grid_depths == (1,)
    assert all(load(key).unit_grid_depths == () for key in ("hulin", "xicheng", "zhanqian", "gaochang"))


def test_panjin_carries_the_26_duty_paragraphs():
    panjin = load("panjin")
    # not paragraphs: the townships, the transfer targets 纪检/司法 and 本级人民政府 (移送 kind "government")
    paragraphs = [d for d in panjin.departments if d.code not in ("xiangzhen", "jijian", "sifa", "zhengfu")]
    assert len(paragraphs) == 26
    zhujian = next(d for d in panjin.departments if d.code == "zhujian")
    assert zhujian.name == "市住建部门" and "扬尘" in zhujian.duties


def test_no_real_names_in_leading_groups():
    # the seeds name real officials; profiles keep role titles only
    for key in PLACES:
        text = (DEPLOYMENTS_DIR / f"{key}.toml").read_text(encoding="utf-8")
        for name in ("殷洪亮", "高科", "白光", "帕拉哈提", "刘建波", "邓正新", "袁东胜"):
            assert name not in text, (key, name)


def _broken(tmp_path, edit) -> str:
    raw = (DEPLOYMENTS_DIR / "hulin.toml").read_text(encoding="utf-8")
    data = tomllib.loads(raw)
    edit(data)
    path = tmp_path / "hulin.toml"
    path.write_text(_dump(data), encoding="utf-8")
    return str(path)


def _dump(data: dict) -> str:
    # a tiny TOML writer for the test's edited copies (strings, numbers, lists, tables, arrays of tables)
    lines, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((f"[{key}]", value))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            tables.extend((f"[[{key}]]", row) for row in value)
        else:
            lines.append(f"{key} = {_value(value)}")
    for header, table in tables:
        lines.append(header)
        lines.extend(f"{k} = {_value(v)}" for k, v in table.items())
    return "\n".join(lines) + "\n"


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda d: d.pop("periods"), "periods: missing"),
        (lambda d: d["levels"][1].pop("name"), "levels[1].name: missing"),
        (lambda d: d["levels"][0].update(number="二"), "levels[0].number: must be int, got str"),
        (lambda d: d["levels"][2].update(depth=5), "levels[2].depth: unknown level 5"),
        (lambda d: d["departments"][0].update(depth=4), "departments[0].depth: unknown level 4"),
        (lambda d: d["joint_enforcement"].update(organiser="mayor"), "joint_enforcement.organiser: 'mayor'"),
        (lambda d: d["duty_matrix"][0].update(departments=["nobody"]), "duty_matrix[0].departments: unknown"),
        (lambda d: d["draw_proportions"].update(C=1.5), "draw_proportions.C: 1.5 is not a share"),
        (lambda d: d["inspection_months"].update(D=2), "inspection_months.D: unknown class"),
        (lambda d: d.update(colour="red"), "colour: unknown key"),
        (lambda d: d.update(unit_grids={"designated_by": [4]}), "unit_grids.designated_by[0]: must be a level depth"),
        (lambda d: d.update(unit_grids={"by": [1]}), "unit_grids.by: unknown key"),
        (lambda d: d.update(security={"totp_required_roles": ["mayor"]}), "security.totp_required_roles[0]: unknown"),
        (lambda d: d.update(security={"totp": ["admin"]}), "security.totp: unknown key"),
    ],
)
def test_a_broken_profile_is_refused_naming_file_key_and_problem(tmp_path, edit, named):
    path = _broken(tmp_path, edit)
    with pytest.raises(ProfileError) as err:
        load(path)
    assert str(err.value).startswith(f"{path}: ") and named in str(err.value)


def test_the_copy_writer_round_trips(tmp_path):
    # the broken-profile cases above only mean something if an unedited copy loads
    assert load(_broken(tmp_path, lambda d: None)).levels == load("hulin").levels


def test_unknown_name_and_bad_toml_are_refused(tmp_path):
    with pytest.raises(ProfileError, match="no such deployment profile .*known: gaochang, hulin"):
        load("atlantis")
    bad = tmp_path / "bad.toml"
    bad.write_text("key = ", encoding="utf-8")
    with pytest.raises(ProfileError, match="bad.toml: not valid TOML"):
        load(str(bad))


def test_the_app_refuses_to_start_with_a_bad_profile(tmp_path):
    path = _broken(tmp_path, lambda d: d.pop("levels"))
    with pytest.raises(ProfileError, match="levels: missing"):
        create_app({"DEPLOYMENT": path})


def test_the_app_exposes_the_chosen_profile(monkeypatch):
    monkeypatch.setenv("GISGRID_DEPLOYMENT", "hulin")
    app = create_app()
    with app.app_context():
        from gisgrid.deployment import current_profile

        assert current_profile().key == "hulin"
    assert create_app({"DEPLOYMENT": "panjin"}).extensions["gisgrid.profile"].key == "panjin"


def test_the_profile_can_require_a_second_factor_of_roles(tmp_path, database_url):
    # 等保 身份鉴别: a deployment whose rules require TOTP of administrators and leaders says so in its profile
    path = _broken(tmp_path, lambda d: d.update(security={"totp_required_roles": ["admin", "grid_leader"]}))
    assert load(path).totp_required_roles == ("admin", "grid_leader")
    app = create_app({"DEPLOYMENT": path, "DATABASE_URL": database_url, "TOTP_REQUIRED_ROLES": ("secadmin",)})
    assert app.config["TOTP_REQUIRED_ROLES"] == ("admin", "grid_leader", "secadmin")  # the setting joins it
    assert load("hulin").totp_required_roles == ()  # the seeds' plans require none
