"""Every shipped layer loads and validates; a broken layer is reported by file, feature and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zgc_geo.catalogue import catalogue, layer_from_file, layer_spec, load_layer, split_list
from zgc_geo.errors import LayerError, LayerNotFoundError, ManifestError
from zgc_geo.manifest import read_manifest


def test_catalogue_lists_every_layer_with_sections_and_sources() -> None:
    entries = {e.name: e for e in catalogue()}
    assert entries["parks"].features == 16
    assert entries["clusters"].features == 6
    assert entries["innovation_centres"].features == 10
    assert entries["service_agglomerations"].features == 5
    assert entries["military_civil_fusion"].features == 3
    assert entries["feature_parks"].features >= 50
    assert entries["cooperation_zones"].features >= 6
    assert entries["districts"].features == 16
    for name in ("parks", "clusters", "feature_parks", "cooperation_zones", "targets_2020"):
        assert "§" in entries[name].sections or "专栏" in entries[name].sections
    assert all(e.source and e.licence for e in entries.values())


@pytest.mark.parametrize("name", ["parks", "clusters", "feature_parks", "cooperation_zones", "targets_2020"])
def test_every_fact_carries_names_and_a_section(name: str) -> None:
    frame = load_layer(name)
    for column in ("name_zh", "name_en") if name != "targets_2020" else ("indicator_zh", "indicator_en"):
        assert (frame[column].str.len() > 0).all(), column
    assert frame["section"].str.match(r"^(§[一二三四五六七]|专栏)").all()


def test_list_fields_are_loaded_as_lists() -> None:
    clusters = load_layer("clusters").set_index("cluster_id")
    assert clusters.loc["frontier_it", "core_park_ids"] == ["haidian", "chaoyang", "daxing_yizhuang"]
    assert split_list(" a; b ;;c ") == ["a", "b", "c"]
    assert split_list(None) == []


def test_unknown_layer_lists_valid_names() -> None:
    with pytest.raises(
        LayerNotFoundError, match=r"no layer named 'park' in the manifest; valid names: .*parks"
    ):
        layer_spec("park")


def _edit_geojson(path: Path, edit) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_broken_parks_layer_names_every_problem(data_copy: Path) -> None:
    def break_it(data: dict) -> None:
        features = data["features"]
        features[1]["properties"]["park_id"] = features[0]["properties"]["park_id"]  # duplicate id
        features[2]["properties"]["planned_area_km2"] = "about ten"  # not a number
        features[3]["geometry"] = {  # self-intersecting bow-tie
            "type": "Polygon",
            "coordinates": [[[116.3, 39.9], [116.4, 40.0], [116.4, 39.9], [116.3, 40.0], [116.3, 39.9]]],
        }
        features[4]["geometry"] = {"type": "Point", "coordinates": [116.3, 39.9]}  # wrong type
        del features[5]["properties"]["role"]

    _edit_geojson(data_copy / "parks.geojson", break_it)
    with pytest.raises(LayerError) as caught:
        load_layer("parks")
    message = str(caught.value)
    assert str(data_copy / "parks.geojson") in message
    assert "feature 2 (park_id='dongcheng'), field 'park_id': id is not unique" in message
    assert "feature 3 (park_id='chaoyang'), field 'planned_area_km2': 'about ten' is not a number" in message
    assert "feature 4 (park_id='haidian'), field 'geometry': has an invalid geometry" in message
    assert (
        "feature 5 (park_id='fengtai'), field 'geometry': geometry type is not one of Polygon, MultiPolygon"
        in message
    )


def test_missing_field_and_wrong_crs_are_reported(data_copy: Path) -> None:
    path = data_copy / "layers" / "feature_parks.geojson"

    def break_it(data: dict) -> None:
        for feature in data["features"]:
            del feature["properties"]["section"]
        data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4548"}}

    _edit_geojson(path, break_it)
    with pytest.raises(
        LayerError, match=r"missing required field\(s\): section[\s\S]*is in EPSG:4548; expected EPSG:4326"
    ):
        load_layer("feature_parks")


def test_missing_layer_file_says_how_to_fix(data_copy: Path) -> None:
    (data_copy / "layers" / "clusters.csv").unlink()
    with pytest.raises(
        LayerNotFoundError, match=r"layer 'clusters': file .*clusters.csv does not exist; restore it"
    ):
        load_layer("clusters")


def test_malformed_manifest_lists_all_entry_problems(data_copy: Path) -> None:
    manifest = data_copy / "layers" / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    text = text.replace('kind = "table"', 'kind = "spreadsheet"', 1).replace(
        'licence = "MIT', 'licenze = "MIT', 1
    )
    manifest.write_text(text, encoding="utf-8")
    with pytest.raises(
        ManifestError, match=r"kind 'spreadsheet'; valid kinds: vector, table[\s\S]*lacks key\(s\) licence"
    ):
        load_layer("parks")


def test_replacement_parks_file_is_checked_against_the_shipped_contract(tmp_path: Path) -> None:
    replacement = tmp_path / "official_parks.geojson"
    replacement.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"park_id": "Haidian Park"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [[[116.3, 39.9], [116.4, 39.9], [116.4, 40.0], [116.3, 39.9]]],
                        },
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(
        LayerError, match=r"ids must be lower-case ASCII slugs[\s\S]*expected 16 features, found 1"
    ):
        layer_from_file(layer_spec("parks"), replacement)


def test_manifest_is_parsed_once_per_text_and_again_when_edited(data_copy: Path) -> None:
    """Every layer load reads the manifest: the parse is kept, but an edit is always seen."""
    manifest = data_copy / "layers" / "manifest.toml"
    first = read_manifest(manifest)
    first.pop("parks")  # a caller's copy: changing it changes nothing for the next caller
    assert "parks" in read_manifest(manifest)
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('kind = "table"', 'kind = "spreadsheet"', 1), encoding="utf-8")
    with pytest.raises(ManifestError, match="kind 'spreadsheet'"):
        read_manifest(manifest)


def test_a_manifest_that_is_not_utf8_is_named(data_copy: Path) -> None:
    manifest = data_copy / "layers" / "manifest.toml"
    manifest.write_bytes(b"\xff\xfe" + manifest.read_bytes())
    with pytest.raises(ManifestError, match=r"manifest.toml: not valid UTF-8 TOML"):
        read_manifest(manifest)
