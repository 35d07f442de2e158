package io.meshwork.cloudmap.sync;

/** A virtual node: its mesh and name. */
public record NodeRef(String mesh, String node) {
    @Override
    public String toString() {
        return mesh + "/" + node;
    }
}
