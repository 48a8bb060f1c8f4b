// The Java side of the peer benchmark: the same workloads as bench_peer.cpp, against
// Debian's Caffeine (libcaffeine-java 2.6.2). Prints one line `ops_per_sec=N` (throughput
// modes) or `size=N hit_ratio=R` lines (replay). Run by run_peer.sh, not by hand.
//
//   java -cp caffeine.jar:. CaffeinePeer reads-uniform|reads-hot|getorput|put THREADS SECONDS
//   java -cp caffeine.jar:. CaffeinePeer replay KEYFILE SIZE...
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.BufferedReader;
import java.io.FileReader;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

public final class CaffeinePeer {
  static final int CAPACITY = 100_000;
  static final int KEY_SPACE = 1_000_000;
  static final int HOT_KEYS = 1_000;

  static String key(long i) { return "model:v3:image:" + ((i * 2654435761L) % 999_999_937L); }

  // Zipf(s) over n ranks by inverse CDF, as the C++ side does (ranks 0..n-1).
  static int[] zipfSequence(int n, double s, int length, long seed) {
    double[] cdf = new double[n];
    double sum = 0;
    for (int k = 1; k <= n; ++k) sum += 1.0 / Math.pow(k, s);
    double acc = 0;
    for (int k = 1; k <= n; ++k) { acc += 1.0 / Math.pow(k, s) / sum; cdf[k - 1] = acc; }
    int[] out = new int[length];
    long x = seed * 0x9E3779B97F4A7C15L + 1;
    for (int i = 0; i < length; ++i) {
      x ^= x << 13; x ^= x >>> 7; x ^= x << 17;
      double u = (x >>> 11) * 0x1.0p-53;
      int lo = 0, hi = n - 1;
      while (lo < hi) { int mid = (lo + hi) >>> 1; if (cdf[mid] < u) lo = mid + 1; else hi = mid; }
      out[i] = lo;
    }
    return out;
  }

  public static void main(String[] args) throws Exception {
    if (args[0].equals("replay")) { replay(args); return; }
    if (args[0].equals("memory")) { memory(Integer.parseInt(args[1])); return; }
    final String mode = args[0];
    final int threads = Integer.parseInt(args[1]);
    final double seconds = Double.parseDouble(args[2]);
    run(mode, threads, Math.min(1.5, seconds));  // warm-up: let the JIT compile the paths
    System.out.printf("ops_per_sec=%.0f%n", run(mode, threads, seconds));
  }

  static double run(String mode, int threads, double seconds) throws Exception {
    final Cache<String, byte[]> cache = Caffeine.newBuilder().maximumSize(CAPACITY).build();
    final String[] keys = new String[KEY_SPACE];
    for (int i = 0; i < KEY_SPACE; ++i) keys[i] = key(i);
    if (!mode.equals("put")) for (int i = 0; i < CAPACITY; ++i) cache.put(keys[i], new byte[256]);
    cache.cleanUp();
    // The mode as a number, chosen once: a string switch per operation would be timed too.
    final int kind = mode.equals("reads-uniform") ? 0 : mode.equals("reads-hot") ? 1 : mode.equals("getorput") ? 2 : 3;
    final LongAdder ops = new LongAdder();
    final AtomicBoolean stop = new AtomicBoolean(false);
    ArrayList<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; ++t) {
      final int id = t;
      workers.add(new Thread(() -> {
        long n = 0;
        long x = 0x9E3779B97F4A7C15L * (id + 1);
        int[] hot = mode.equals("reads-hot") ? zipfSequence(HOT_KEYS, 0.99, 1 << 16, id + 1) : null;
        int[] zipf = mode.equals("getorput") ? zipfSequence(KEY_SPACE, 0.9, 1 << 16, id + 7) : null;
        long put = (long) id * (KEY_SPACE / 2);
        while (!stop.get()) {
          for (int b = 0; b < 1024; ++b) {
            switch (kind) {
              case 0: {
                x ^= x << 13; x ^= x >>> 7; x ^= x << 17;
                if (cache.getIfPresent(keys[(int) Long.remainderUnsigned(x, CAPACITY)]) == null) throw new IllegalStateException("miss");
                break;
              }
              case 1: {
                if (cache.getIfPresent(keys[hot[(int) (n & 0xffff)]]) == null) throw new IllegalStateException("miss");
                break;
              }
              case 2: {
                String k = keys[zipf[(int) (n & 0xffff)]];
                if (cache.getIfPresent(k) == null) cache.put(k, new byte[256]);
                break;
              }
              default: {  // put: new keys beyond the capacity
                cache.put(keys[(int) (put++ % KEY_SPACE)], new byte[256]);
              }
            }
            ++n;
          }
        }
        ops.add(n);
      }));
    }
    for (Thread w : workers) w.start();
    Thread.sleep((long) (seconds * 1000));
    stop.set(true);
    for (Thread w : workers) w.join();
    return ops.sum() / seconds;
  }

  static long usedAfterGc() throws Exception {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 5; ++i) { System.gc(); Thread.sleep(50); }
    return rt.totalMemory() - rt.freeMemory();
  }

  // Heap bytes per resident entry beyond the key and the value objects: the keys are
  // built (and kept) before the baseline is taken, the value is one shared object.
  static void memory(int n) throws Exception {
    String[] keys = new String[n];
    for (int i = 0; i < n; ++i) keys[i] = String.format("model:v3:img:%011d", i);  // 24 chars, as the C++ side
    byte[] value = new byte[256];
    long before = usedAfterGc();
    Cache<String, byte[]> cache = Caffeine.newBuilder().maximumSize(n).executor(Runnable::run).build();
    for (int i = 0; i < n; ++i) cache.put(keys[i], value);
    cache.cleanUp();
    long after = usedAfterGc();
    if (cache.estimatedSize() != n) throw new IllegalStateException("not all resident");
    System.out.printf("bytes_per_entry=%.1f%n", (double) (after - before) / n);
    if (keys.length == 0) System.out.println(cache.getIfPresent("x"));  // keep both reachable
  }

  static void replay(String[] args) throws Exception {
    ArrayList<Long> list = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new FileReader(args[1]))) {
      for (String line; (line = in.readLine()) != null;) list.add(Long.parseLong(line.trim()));
    }
    for (int a = 2; a < args.length; ++a) {
      int size = Integer.parseInt(args[a]);
      // Synchronous maintenance, so eviction happens on the caller's thread in order.
      Cache<Long, Boolean> cache = Caffeine.newBuilder().maximumSize(size).executor(Runnable::run).build();
      long hits = 0;
      for (Long k : list) {
        if (cache.getIfPresent(k) != null) ++hits; else cache.put(k, Boolean.TRUE);
      }
      System.out.printf("size=%d hit_ratio=%.6f%n", size, (double) hits / list.size());
    }
  }
}
