#!/bin/sh
# A node that dies for real: its QEMU is killed (no shutdown, no last
# message), then booted again. test_node_loss.sh with NODE_FAULT=kill.
NODE_FAULT=kill exec "$(dirname "$0")/test_node_loss.sh"
