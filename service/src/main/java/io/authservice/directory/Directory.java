package io.authservice.directory;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.caffeine.MetricsStatsCounter;
import com.github.benmanes.caffeine.cache.Ticker;
import io.authservice.api.EmployeeView;
import io.authservice.api.UserView;
import io.authservice.config.DirectoryConfig;
import io.authservice.core.EmployeeService;
import io.authservice.core.UserService;
import io.authservice.db.ChangeLog;
import io.authservice.db.ChangeLogPoller;
import io.authservice.db.DirectoryChangeDAO;
import io.authservice.db.JdbiChangeLog;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * What the directory endpoints read: users and employees by id, as their wire views (never a
 * password hash), either from two {@link DirectoryCache}s kept in step with every instance's writes
 * by a {@link ChangeLogPoller} over {@code directory_changes}, or straight from the store.
 *
 * <p>Metrics (cached only): {@code directory-cache.users.*} and {@code directory-cache.employees.*}
 * (Caffeine's hits, misses, evictions, loads; {@code size}; {@code hit-rate}) and
 * {@code directory-cache.staleness-millis}, how long ago the change log was last read (-1 before the first read).
 */
public final class Directory {
    private final DirectoryLookup<UserView> users;
    private final DirectoryLookup<EmployeeView> employees;
    private final Optional<ChangeLogPoller<Subject>> poller;

    /** A user or an employee, as a row of {@code directory_changes} names it. */
    public record Subject(String kind, long id) {
    }

    private Directory(DirectoryLookup<UserView> users, DirectoryLookup<EmployeeView> employees,
                      Optional<ChangeLogPoller<Subject>> poller) {
        this.users = users;
        this.employees = employees;
        this.poller = poller;
    }

    /**
     * The directory as {@code config} says: cached (with its poller, to be started by the caller, and
     * its metrics in {@code metrics}) or not.
     *
     * @param pollInterval how often the change log is read: the key cache's revocation poll interval
     */
    public static Directory create(DirectoryConfig config, UserService userService, EmployeeService employeeService,
                                   Jdbi jdbi, Duration pollInterval, Clock clock, Ticker ticker, Executor executor,
                                   ScheduledExecutorService pollExecutor, MetricRegistry metrics) {
        final Function<Long, Optional<UserView>> findUser = id -> userService.find(id).map(UserView::of);
        final Function<Collection<Long>, Map<Long, UserView>> findUsers = ids -> {
            final Map<Long, UserView> found = new HashMap<>();
            userService.findAll(ids).forEach(user -> found.put(user.id(), UserView.of(user)));
            return found;
        };
        final Function<Long, Optional<EmployeeView>> findEmployee = id -> employeeService.find(id).map(EmployeeView::of);
        final Function<Collection<Long>, Map<Long, EmployeeView>> findEmployees = ids -> {
            final Map<Long, EmployeeView> found = new HashMap<>();
            ids.forEach(id -> findEmployee.apply(id).ifPresent(e -> found.put(id, e)));
            return found;
        };
        if (!config.isCached()) {
            return new Directory(DirectoryLookup.uncached(findUser, findUsers),
                    DirectoryLookup.uncached(findEmployee, findEmployees), Optional.empty());
        }
        final DirectoryCache<UserView> userCache = cache("users", findUser, findUsers, config, ticker, executor, metrics);
        final DirectoryCache<EmployeeView> employeeCache = cache("employees", findEmployee, findEmployees, config,
                ticker, executor, metrics);
        final ChangeLogPoller<Subject> poller = new ChangeLogPoller<>("directory", new JdbiChangeLog<>(jdbi, DirectoryChangeDAO.class,
                row -> new ChangeLog.Change<>(row.id(), new Subject(row.kind(), row.entityId()))), changed -> {
            userCache.invalidate(idsOf(changed, DirectoryChangeDAO.USER));
            employeeCache.invalidate(idsOf(changed, DirectoryChangeDAO.EMPLOYEE));
        }, pollInterval, config.getCache().getExpireAfterWrite().toJavaDuration(), clock, pollExecutor);
        metrics.register("directory-cache.staleness-millis",
                (Gauge<Long>) () -> poller.staleness().map(Duration::toMillis).orElse(-1L));
        return new Directory(userCache, employeeCache, Optional.of(poller));
    }

    public DirectoryLookup<UserView> users() {
        return users;
    }

    public DirectoryLookup<EmployeeView> employees() {
        return employees;
    }

    /** The change log poller when cached; the caller starts and stops it. */
    public Optional<ChangeLogPoller<Subject>> poller() {
        return poller;
    }

    private static <V> DirectoryCache<V> cache(String name, Function<Long, Optional<V>> find,
                                               Function<Collection<Long>, Map<Long, V>> findAll, DirectoryConfig config,
                                               Ticker ticker, Executor executor, MetricRegistry metrics) {
        final String prefix = "directory-cache." + name;
        final DirectoryCache<V> cache = new DirectoryCache<>(find, findAll, config.getCache(), ticker, executor,
                () -> new MetricsStatsCounter(metrics, prefix));
        metrics.register(prefix + ".size", (Gauge<Long>) cache::estimatedSize);
        metrics.register(prefix + ".hit-rate", (Gauge<Double>) () -> cache.stats().hitRate());
        return cache;
    }

    private static List<Long> idsOf(Set<Subject> changed, String kind) {
        final List<Long> ids = new ArrayList<>();
        changed.forEach(subject -> {
            if (subject.kind().equals(kind)) {
                ids.add(subject.id());
            }
        });
        return ids;
    }
}
