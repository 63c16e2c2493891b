"""The apps' shared pieces: ``twin.compose``."""

import pytest
from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

import twin
from twin.config import CONF_DIR


def test_compose_is_hydras_config_and_can_be_called_again():
    cfg = twin.compose("athletes=mini_squad", "draws=8")
    assert cfg.draws == 8 and cfg.athletes.name == "mini_squad"
    assert "hydra" not in cfg
    assert not GlobalHydra.instance().is_initialized()  # left as it was found
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base=None):
        assert cfg == hydra_compose("config", overrides=["athletes=mini_squad", "draws=8"])
    assert twin.compose("athletes=mini_squad", "draws=8") == cfg


def test_compose_inside_an_initialised_hydra_keeps_it():
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base=None):
        outer = GlobalHydra.instance().hydra
        assert twin.compose("draws=3").draws == 3
        assert GlobalHydra.instance().hydra is outer
        assert hydra_compose("config", overrides=["draws=5"]).draws == 5


def test_compose_names_what_is_wrong():
    from hydra.errors import ConfigCompositionException, MissingConfigException

    with pytest.raises(TypeError, match=r"compose\(\*overrides\)"):
        twin.compose(["draws=2"])
    with pytest.raises(MissingConfigException, match="scenario/nonesuch"):
        twin.compose("scenario=nonesuch")
    with pytest.raises(ConfigCompositionException, match="drawz"):
        twin.compose("drawz=3")
    assert not GlobalHydra.instance().is_initialized()
