package dev.revroll.prometheus;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.util.concurrent.CompletableFuture;

/** The one response of an HTTP exchange as a future; cancelling the future cancels the exchange (the time limiter does). */
final class SingleResponse<T> implements Subscriber<T> {

    private final CompletableFuture<T> future = new CompletableFuture<>();

    private SingleResponse() {
    }

    static <T> CompletableFuture<T> of(Publisher<T> publisher) {
        SingleResponse<T> subscriber = new SingleResponse<>();
        publisher.subscribe(subscriber);
        return subscriber.future;
    }

    @Override
    public void onSubscribe(Subscription subscription) {
        future.whenComplete((value, error) -> {
            if (future.isCancelled()) {
                subscription.cancel();
            }
        });
        subscription.request(1);
    }

    @Override
    public void onNext(T value) {
        future.complete(value);
    }

    @Override
    public void onError(Throwable error) {
        future.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        future.completeExceptionally(new IllegalStateException("the HTTP exchange ended without a response"));
    }
}
