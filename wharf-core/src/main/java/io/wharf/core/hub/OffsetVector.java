package io.wharf.core.hub;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An immutable partition-to-next-offset map in ascending partition order, held in two arrays. Every
 * delivered event carries one, so it is built without boxing or tree nodes; the partition array is
 * shared by all vectors of one subscription.
 */
final class OffsetVector extends AbstractMap<Integer, Long> {
    private final int[] partitions;
    private final long[] offsets;

    /** Takes ownership of both arrays; {@code partitions} must be strictly ascending. */
    OffsetVector(int[] partitions, long[] offsets) {
        this.partitions = partitions;
        this.offsets = offsets;
    }

    /** A copy with one partition's offset replaced; the partition must be present. */
    OffsetVector with(int partition, long offset) {
        int i = Arrays.binarySearch(partitions, partition);
        long[] copy = offsets.clone();
        copy[i] = offset;
        return new OffsetVector(partitions, copy);
    }

    /** Whether this vector holds the partition. */
    boolean has(int partition) {
        return Arrays.binarySearch(partitions, partition) >= 0;
    }

    @Override
    public int size() {
        return partitions.length;
    }

    @Override
    public boolean containsKey(Object key) {
        return key instanceof Integer p && Arrays.binarySearch(partitions, p) >= 0;
    }

    @Override
    public Long get(Object key) {
        if (!(key instanceof Integer p)) {
            return null;
        }
        int i = Arrays.binarySearch(partitions, p);
        return i < 0 ? null : offsets[i];
    }

    @Override
    public void forEach(BiConsumer<? super Integer, ? super Long> action) {
        for (int i = 0; i < partitions.length; i++) {
            action.accept(partitions[i], offsets[i]);
        }
    }

    @Override
    public Set<Map.Entry<Integer, Long>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<Integer, Long>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < partitions.length;
                    }

                    @Override
                    public Map.Entry<Integer, Long> next() {
                        if (next >= partitions.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new SimpleImmutableEntry<>(partitions[i], offsets[i]);
                    }
                };
            }

            @Override
            public int size() {
                return partitions.length;
            }
        };
    }
}
