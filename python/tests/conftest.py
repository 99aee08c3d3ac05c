import pytest

import kocrank


@pytest.fixture(scope="session")
def world():
    return kocrank.generate("tiny", seed=42)


@pytest.fixture(scope="session")
def split(world):
    return world.split(at="auto", window="30d")


@pytest.fixture(scope="session")
def model(split):
    train, _ = split
    return kocrank.train(train, {"model": "profile"})
