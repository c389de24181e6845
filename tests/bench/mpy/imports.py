# Heap the driver's code takes once imported, layer by layer: `import bc26`
# first, then each module named on the command line, one at a time.
#   micropython imports.py [MODULE ...]
# Prints "fig heap.import.NAME BYTES" per layer and, after `import bc26`,
# "fig loaded NAME ..." (the modules that import brought in).
import gc
import sys


def layer(name):
    gc.collect()
    before = gc.mem_alloc()
    __import__(name)
    gc.collect()
    return gc.mem_alloc() - before


def main():
    print("fig heap.import.bc26", layer("bc26"))
    print("fig loaded", " ".join(sorted(k for k in sys.modules
                                        if k == "bc26" or k.startswith("bc26."))))
    for name in sys.argv[1:]:
        print("fig heap.import.%s" % name, layer(name))


main()
