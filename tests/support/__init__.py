"""Helpers shared by every test package: real servers, free ports, builders."""
