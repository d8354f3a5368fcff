"""Offline evaluation: splits, ranking metrics, and a runner that trains every algorithm on the
same split (with ``implicit``'s baselines) and times it. Pure: arrays in, numbers out, no I/O.
"""
