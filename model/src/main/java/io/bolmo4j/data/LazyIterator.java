package io.bolmo4j.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** Iterator whose elements are computed one at a time by {@link #computeNext()}; null marks the end. */
abstract class LazyIterator<T> implements Iterator<T> {
    private T next;
    private boolean done;

    /** The next element, or null when there are no more. */
    protected abstract T computeNext();

    @Override
    public final boolean hasNext() {
        if (next == null && !done) {
            next = computeNext();
            done = next == null;
        }
        return next != null;
    }

    @Override
    public final T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        T result = next;
        next = null;
        return result;
    }

    /** A sequential ordered stream over this iterator that runs {@code onClose} when closed. */
    final Stream<T> stream(Runnable onClose) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(onClose);
    }
}
