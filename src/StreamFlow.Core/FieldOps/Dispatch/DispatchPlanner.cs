using System.Globalization;

namespace StreamFlow.Core.FieldOps.Dispatch;

/// <summary>
/// Plans a day's visits onto technicians. Skills, valid certifications and working hours (home again by the end of the
/// day) are hard; arriving inside the window is first made hard, and only visits that fit nowhere that way are placed
/// late. Visits are placed by regret insertion (the visit that would lose most by waiting goes first, to the cheapest
/// position), then improved while the objective falls by local moves: reversing a stretch of a route (2-opt), moving a
/// visit or a stretch of two or three (or-opt, also reversed) to its best place in any route, trading one visit for one
/// of another route, and exchanging two routes' tails (2-opt*, which also hands a whole route to a technician who lives
/// nearer). Then by ruin and recreate (Schrimpf et al., 2000): a few neighbouring visits, a stretch of one route, or
/// stretches of the routes around one place (SISR's string removal) are taken out and inserted again by regret, a
/// worse day accepted now and then as in simulated annealing, the best day kept. The search is seeded with a constant
/// and bounded by iterations, not by the clock, so the same day always gives the same plan (apply re-plans and must
/// find the plan that was suggested). Insertion is checked in one pass over a route
/// (each stop's latest start that keeps the rest in its windows) wherever the route has no time off and no late stop.
/// The objective is travel kilometres + <see cref="DispatchOptions.LoadWeight"/> × Σ busy hours², with a late arrival
/// costing more than any route could save and a visit left out more than any late one.
/// </summary>
public static class DispatchPlanner
{
    private const double LatePenaltyKm = 10_000;
    private const double UnassignedPenaltyKm = 100_000;
    private const int SearchSeed = 7919;
    // SISR's settings: strings of at most 10 visits, about 10 visits taken out on average.
    private const int LongestString = 10;
    private const int AverageStringRemoval = 10;

    public static DispatchPlan Plan(DispatchDay day, DispatchOptions options) => Replan(day, null, options);

    /// <summary>
    /// Plans <paramref name="day"/> again keeping <paramref name="previous"/>'s routes as the starting point: visits no
    /// longer in the day (cancelled) leave their routes, new ones are inserted, then the whole day is improved.
    /// </summary>
    public static DispatchPlan Replan(DispatchDay day, DispatchPlan? previous, DispatchOptions options)
    {
        var state = new PlanState(day, options);
        if (previous is not null)
        {
            state.Seed(previous);
        }

        state.Insert(allowLate: false);
        state.Insert(allowLate: true);
        state.Improve();
        state.RuinAndRecreate(options.SearchIterations, new Random(SearchSeed));
        return state.ToPlan(explain: true);
    }

    internal sealed class PlanState
    {
        private readonly DispatchDay _day;
        private readonly DispatchOptions _options;
        private readonly List<int>[] _routes;
        private readonly HashSet<int> _unassigned;
        private readonly bool[,] _qualified;
        private readonly double[,] _visitKm;
        private readonly double[,] _homeKm;
        // The same times Simulate adds up, in ticks, so the quick insertion check agrees with it exactly.
        private readonly long[,] _visitTicks;
        private readonly long[,] _homeTicks;

        public PlanState(DispatchDay day, DispatchOptions options)
        {
            _day = day;
            _options = options;
            _routes = [.. day.Technicians.Select(_ => new List<int>())];
            _unassigned = [.. Enumerable.Range(0, day.Visits.Count)];
            _qualified = new bool[day.Technicians.Count, day.Visits.Count];
            _visitKm = new double[day.Visits.Count, day.Visits.Count];
            _homeKm = new double[day.Technicians.Count, day.Visits.Count];
            _visitTicks = new long[day.Visits.Count, day.Visits.Count];
            _homeTicks = new long[day.Technicians.Count, day.Visits.Count];
            for (var v = 0; v < day.Visits.Count; v++)
            {
                for (var w = 0; w < day.Visits.Count; w++)
                {
                    _visitKm[v, w] = day.Visits[v].Location.KilometresTo(day.Visits[w].Location);
                    _visitTicks[v, w] = options.TravelTime(_visitKm[v, w]).Ticks;
                }

                for (var t = 0; t < day.Technicians.Count; t++)
                {
                    _qualified[t, v] = Qualifies(day.Technicians[t], day.Visits[v], day.Date);
                    _homeKm[t, v] = day.Technicians[t].HomeBase.KilometresTo(day.Visits[v].Location);
                    _homeTicks[t, v] = options.TravelTime(_homeKm[t, v]).Ticks;
                }
            }
        }

        public static bool Qualifies(DispatchTechnician technician, DispatchVisit visit, DateOnly date) =>
            visit.RequiredSkills.All(technician.Skills.Contains)
            && visit.RequiredCertifications.All(c => technician.Certifications.TryGetValue(c, out var expires) && expires >= date);

        public void Seed(DispatchPlan previous)
        {
            var index = _day.Visits.Select((v, i) => (v.Id, i)).ToDictionary(p => p.Id, p => p.i);
            for (var t = 0; t < _day.Technicians.Count; t++)
            {
                var route = previous.Routes.FirstOrDefault(r => r.TechnicianId == _day.Technicians[t].Id);
                foreach (var stop in route?.Stops ?? [])
                {
                    if (index.TryGetValue(stop.VisitId, out var v) && _qualified[t, v] && _unassigned.Remove(v))
                    {
                        _routes[t].Add(v);
                    }
                }

                // A seeded route that no longer fits the day (hours changed) is emptied and planned again.
                if (!Simulate(t, _routes[t], allowLate: true).Feasible)
                {
                    _unassigned.UnionWith(_routes[t]);
                    _routes[t].Clear();
                }
            }
        }

        public void Insert(bool allowLate)
        {
            var costs = _routes.Select((r, t) => Cost(Simulate(t, r, allowLate: true))).ToArray();
            // Each visit's cheapest position in each route; only the route that changed is looked at again.
            var options = new Dictionary<int, (int Position, double Delta)[]>();
            foreach (var v in _unassigned)
            {
                options[v] = [.. Enumerable.Range(0, _routes.Length).Select(t => _qualified[t, v] ? BestPosition(t, v, costs[t], allowLate) : (-1, double.MaxValue))];
            }

            while (_unassigned.Count > 0)
            {
                (int Visit, int Tech, int Position, double Delta, double Regret)? chosen = null;
                foreach (var v in _unassigned)
                {
                    var best = (Tech: -1, Position: -1, Delta: double.MaxValue);
                    var second = double.MaxValue;
                    var byTech = options[v];
                    for (var t = 0; t < byTech.Length; t++)
                    {
                        var (position, delta) = byTech[t];
                        if (position < 0)
                        {
                            continue;
                        }

                        if (delta < best.Delta)
                        {
                            second = best.Delta;
                            best = (t, position, delta);
                        }
                        else if (delta < second)
                        {
                            second = delta;
                        }
                    }

                    if (best.Tech < 0)
                    {
                        continue;
                    }

                    var regret = second == double.MaxValue ? double.MaxValue : second - best.Delta;
                    if (chosen is null || regret > chosen.Value.Regret
                        || (regret == chosen.Value.Regret && (best.Delta < chosen.Value.Delta
                            || (best.Delta == chosen.Value.Delta && _day.Visits[v].TieBreak > _day.Visits[chosen.Value.Visit].TieBreak))))
                    {
                        chosen = (v, best.Tech, best.Position, best.Delta, regret);
                    }
                }

                if (chosen is not { } pick)
                {
                    return;
                }

                _routes[pick.Tech].Insert(pick.Position, pick.Visit);
                _unassigned.Remove(pick.Visit);
                costs[pick.Tech] = Cost(Simulate(pick.Tech, _routes[pick.Tech], allowLate: true));
                foreach (var v in _unassigned)
                {
                    options[v][pick.Tech] = _qualified[pick.Tech, v] ? BestPosition(pick.Tech, v, costs[pick.Tech], allowLate) : (-1, double.MaxValue);
                }
            }
        }

        public void Improve()
        {
            for (var round = 0; round < _options.ImprovementRounds; round++)
            {
                var improved = false;
                for (var t = 0; t < _routes.Length; t++)
                {
                    improved |= TwoOpt(t);
                }

                for (var from = 0; from < _routes.Length; from++)
                {
                    for (var i = 0; i < _routes[from].Count; i++)
                    {
                        improved |= Relocate(from, i);
                    }
                }

                for (var a = 0; a < _routes.Length; a++)
                {
                    for (var b = a + 1; b < _routes.Length; b++)
                    {
                        improved |= ExchangeTails(a, b);
                        improved |= Swap(a, b);
                    }
                }

                for (var from = 0; from < _routes.Length; from++)
                {
                    for (var length = 2; length <= 3; length++)
                    {
                        for (var i = 0; i + length <= _routes[from].Count; i++)
                        {
                            improved |= RelocateStretch(from, i, length);
                        }
                    }
                }

                if (!improved)
                {
                    return;
                }
            }
        }

        /// <summary>
        /// Ruin and recreate: each iteration takes out some visits (a visit and its nearest placed neighbours, a stretch
        /// of one route, or stretches of the routes nearest a visit), inserts the day's unplaced visits again by regret, and
        /// keeps the result if it is better, or worse by little while the temperature is high; the best day seen is the
        /// answer, polished once more.
        /// </summary>
        public void RuinAndRecreate(int iterations, Random random)
        {
            if (iterations <= 0 || _routes.All(r => r.Count == 0))
            {
                return;
            }

            var current = TotalCost();
            var (bestRoutes, bestUnassigned, bestCost) = (Snapshot(), _unassigned.ToList(), current);
            // Start by accepting 0.5 % more travel half the time; end at a hundredth of that.
            var travelKm = _routes.Select((route, t) => Simulate(t, route, allowLate: true).TravelKm).Sum();
            var temperature = Math.Max(1e-6, 0.005 * travelKm / Math.Log(2));
            var cooling = Math.Pow(0.01, 1.0 / iterations);
            for (var i = 0; i < iterations; i++, temperature *= cooling)
            {
                var (routes, unassigned) = (Snapshot(), _unassigned.ToList());
                Ruin(random);
                Insert(allowLate: false);
                Insert(allowLate: true);
                var cost = TotalCost();
                if (cost < current - 1e-9 || random.NextDouble() < Math.Exp((current - cost) / temperature))
                {
                    current = cost;
                    if (cost < bestCost - 1e-9)
                    {
                        (bestRoutes, bestUnassigned, bestCost) = (Snapshot(), _unassigned.ToList(), cost);
                    }
                }
                else
                {
                    Restore(routes, unassigned);
                }
            }

            Restore(bestRoutes, bestUnassigned);
            Improve();
        }

        /// <summary>
        /// String removal (Christiaens and Vanden Berghe's SISR, 2020): from the routes nearest a random visit, one
        /// stretch each around the visit of that route nearest it, so neighbouring routes give up work in the same place.
        /// </summary>
        private void RemoveStrings(Random random)
        {
            var techOf = new Dictionary<int, int>();
            for (var t = 0; t < _routes.Length; t++)
            {
                foreach (var v in _routes[t])
                {
                    techOf[v] = t;
                }
            }

            var placed = techOf.Keys.Order().ToList();
            var centre = placed[random.Next(placed.Count)];
            var used = _routes.Count(r => r.Count > 0);
            var longest = Math.Min(LongestString, Math.Max(1, placed.Count / Math.Max(1, used)));
            var strings = 1 + random.Next(Math.Max(1, (int)(4.0 * AverageStringRemoval / (1 + longest)) - 1));
            var ruined = new HashSet<int>();
            foreach (var v in placed.OrderBy(p => _visitKm[centre, p]))
            {
                if (ruined.Count >= strings)
                {
                    break;
                }

                var t = techOf[v];
                if (!ruined.Add(t))
                {
                    continue;
                }

                var route = _routes[t];
                var length = 1 + random.Next(Math.Min(route.Count, longest));
                var at = route.IndexOf(v);
                var start = Math.Clamp(at - random.Next(length), 0, route.Count - length);
                _unassigned.UnionWith(route.GetRange(start, length));
                route.RemoveRange(start, length);
            }
        }

        private void Ruin(Random random)
        {
            if (random.Next(3) == 0)
            {
                RemoveStrings(random);
            }
            else
            {
                RemoveNeighboursOrStretch(random);
            }
        }

        /// <summary>3 to 15 visits: one and its nearest placed neighbours, or a stretch of one route.</summary>
        private void RemoveNeighboursOrStretch(Random random)
        {
            var placed = _routes.SelectMany((route, t) => route.Select(v => (Tech: t, Visit: v))).ToList();
            var count = Math.Min(placed.Count, 3 + random.Next(13));
            if (random.Next(2) == 0)
            {
                var centre = placed[random.Next(placed.Count)].Visit;
                foreach (var (t, v) in placed.OrderBy(p => _visitKm[centre, p.Visit]).Take(count))
                {
                    _routes[t].Remove(v);
                    _unassigned.Add(v);
                }

                return;
            }

            var tech = placed[random.Next(placed.Count)].Tech;
            var length = Math.Min(count, _routes[tech].Count);
            var start = random.Next(_routes[tech].Count - length + 1);
            _unassigned.UnionWith(_routes[tech].GetRange(start, length));
            _routes[tech].RemoveRange(start, length);
        }

        internal double RouteCost(int t, IReadOnlyList<int>? route = null) => Cost(Simulate(t, route ?? _routes[t], allowLate: true));

        private double TotalCost() =>
            _routes.Select((route, t) => Cost(Simulate(t, route, allowLate: true))).Sum() + (UnassignedPenaltyKm * _unassigned.Count);

        private List<int>[] Snapshot() => [.. _routes.Select(route => route.ToList())];

        private void Restore(List<int>[] routes, List<int> unassigned)
        {
            for (var t = 0; t < _routes.Length; t++)
            {
                _routes[t].Clear();
                _routes[t].AddRange(routes[t]);
            }

            _unassigned.Clear();
            _unassigned.UnionWith(unassigned);
        }

        private bool Relocate(int from, int index)
        {
            var v = _routes[from][index];
            var fromBefore = Cost(Simulate(from, _routes[from], allowLate: true));
            _routes[from].RemoveAt(index);
            var saving = fromBefore - Cost(Simulate(from, _routes[from], allowLate: true));
            var best = (Tech: from, Position: index, Delta: saving);
            for (var t = 0; t < _routes.Length; t++)
            {
                if (!_qualified[t, v])
                {
                    continue;
                }

                var current = Cost(Simulate(t, _routes[t], allowLate: true));
                var (position, delta) = BestPosition(t, v, current, allowLate: true);
                if (position >= 0 && delta < best.Delta - 1e-9)
                {
                    best = (t, position, delta);
                }
            }

            _routes[best.Tech].Insert(best.Position, v);
            return best.Tech != from || best.Position != index;
        }

        /// <summary>2-opt*: route a keeps its head and takes b's tail, and b the other way round, at the best cut (cut at 0: whole routes trade technicians).</summary>
        private bool ExchangeTails(int a, int b)
        {
            var (ra, rb) = (_routes[a], _routes[b]);
            var current = Cost(Simulate(a, ra, allowLate: true)) + Cost(Simulate(b, rb, allowLate: true));
            var best = (I: -1, J: -1, Cost: current - 1e-9);
            for (var i = 0; i <= ra.Count; i++)
            {
                if (!AllQualified(b, ra, i, ra.Count))
                {
                    continue;
                }

                for (var j = 0; j <= rb.Count; j++)
                {
                    if ((i == ra.Count && j == rb.Count) || !AllQualified(a, rb, j, rb.Count))
                    {
                        continue;
                    }

                    List<int> newA = [.. ra.Take(i), .. rb.Skip(j)];
                    var costA = Cost(Simulate(a, newA, allowLate: true));
                    if (costA >= best.Cost)
                    {
                        continue;
                    }

                    List<int> newB = [.. rb.Take(j), .. ra.Skip(i)];
                    var cost = costA + Cost(Simulate(b, newB, allowLate: true));
                    if (cost < best.Cost)
                    {
                        best = (i, j, cost);
                    }
                }
            }

            if (best.I < 0)
            {
                return false;
            }

            List<int> tailA = [.. ra.Skip(best.I)];
            List<int> tailB = [.. rb.Skip(best.J)];
            ra.RemoveRange(best.I, ra.Count - best.I);
            rb.RemoveRange(best.J, rb.Count - best.J);
            ra.AddRange(tailB);
            rb.AddRange(tailA);
            return true;
        }

        /// <summary>Exchange: one visit of route a and one of b trade places, when that lowers the two routes' cost.</summary>
        private bool Swap(int a, int b)
        {
            var (ra, rb) = (_routes[a], _routes[b]);
            var current = Cost(Simulate(a, ra, allowLate: true)) + Cost(Simulate(b, rb, allowLate: true));
            var improved = false;
            for (var i = 0; i < ra.Count; i++)
            {
                for (var j = 0; j < rb.Count; j++)
                {
                    var (v, w) = (ra[i], rb[j]);
                    if (!_qualified[b, v] || !_qualified[a, w])
                    {
                        continue;
                    }

                    (ra[i], rb[j]) = (w, v);
                    var cost = Cost(Simulate(a, ra, allowLate: true)) + Cost(Simulate(b, rb, allowLate: true));
                    if (cost < current - 1e-9)
                    {
                        current = cost;
                        improved = true;
                    }
                    else
                    {
                        (ra[i], rb[j]) = (v, w);
                    }
                }
            }

            return improved;
        }

        /// <summary>Or-opt: a stretch of consecutive visits moves, in order or reversed, to its best place in any route.</summary>
        private bool RelocateStretch(int from, int index, int length)
        {
            var stretch = _routes[from].GetRange(index, length);
            var before = Cost(Simulate(from, _routes[from], allowLate: true));
            _routes[from].RemoveRange(index, length);
            var saving = before - Cost(Simulate(from, _routes[from], allowLate: true));
            var best = (Tech: from, Position: index, Reversed: false, Delta: saving - 1e-9);
            List<int> reversed = [.. Enumerable.Reverse(stretch)];
            for (var t = 0; t < _routes.Length; t++)
            {
                if (!stretch.All(v => _qualified[t, v]))
                {
                    continue;
                }

                var route = _routes[t];
                var current = Cost(Simulate(t, route, allowLate: true));
                for (var p = 0; p <= route.Count; p++)
                {
                    foreach (var (order, isReversed) in new[] { (stretch, false), (reversed, true) })
                    {
                        route.InsertRange(p, order);
                        var delta = Cost(Simulate(t, route, allowLate: true)) - current;
                        route.RemoveRange(p, length);
                        if (delta < best.Delta)
                        {
                            best = (t, p, isReversed, delta);
                        }
                    }
                }
            }

            _routes[best.Tech].InsertRange(best.Position, best.Reversed ? reversed : stretch);
            return best.Tech != from || best.Position != index || best.Reversed;
        }

        private bool AllQualified(int t, List<int> route, int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                if (!_qualified[t, route[i]])
                {
                    return false;
                }
            }

            return true;
        }

        private bool TwoOpt(int t)
        {
            var route = _routes[t];
            var improved = false;
            var current = Cost(Simulate(t, route, allowLate: true));
            for (var i = 0; i < route.Count - 1; i++)
            {
                for (var j = i + 1; j < route.Count; j++)
                {
                    route.Reverse(i, j - i + 1);
                    var outcome = Simulate(t, route, allowLate: true);
                    var cost = Cost(outcome);
                    if (outcome.Feasible && cost < current - 1e-9)
                    {
                        current = cost;
                        improved = true;
                    }
                    else
                    {
                        route.Reverse(i, j - i + 1);
                    }
                }
            }

            return improved;
        }

        /// <summary>
        /// The cheapest place for visit v in route t and what it adds to the route's cost. A route without time off
        /// whose visits are all inside their windows is checked in one pass (each stop's latest start that keeps the rest
        /// of the route in its windows and home in time); any other route, or a visit that fits nowhere inside its window
        /// when lateness is allowed, by driving every candidate route.
        /// </summary>
        private (int Position, double Delta) BestPosition(int t, int v, double currentCost, bool allowLate)
        {
            if (_day.Technicians[t].Unavailable is not { Count: > 0 } && QuickBestPosition(t, v) is { } quick)
            {
                if (quick.Position >= 0 || !allowLate)
                {
                    return quick;
                }
            }

            return DrivenBestPosition(t, v, currentCost, allowLate);
        }

        /// <summary>Null when the route has a late stop (the quick check assumes every stop inside its window).</summary>
        internal (int Position, double Delta)? QuickBestPosition(int t, int v)
        {
            var route = _routes[t];
            var technician = _day.Technicians[t];
            var n = route.Count;
            Span<long> departs = n <= 128 ? stackalloc long[n + 1] : new long[n + 1];
            Span<long> latest = n <= 128 ? stackalloc long[n + 1] : new long[n + 1];
            var time = technician.WorkStart.Ticks;
            long busy = 0;
            double km = 0;
            departs[0] = time;
            for (var i = 0; i < n; i++)
            {
                var visit = _day.Visits[route[i]];
                var drive = i == 0 ? _homeTicks[t, route[i]] : _visitTicks[route[i - 1], route[i]];
                var start = Math.Max(time + drive, visit.WindowStart.Ticks);
                if (start > visit.WindowEnd.Ticks)
                {
                    return null;
                }

                time = start + visit.Duration.Ticks;
                departs[i + 1] = time;
                busy += drive + visit.Duration.Ticks;
                km += i == 0 ? _homeKm[t, route[i]] : _visitKm[route[i - 1], route[i]];
            }

            if (n > 0)
            {
                busy += _homeTicks[t, route[^1]];
                km += _homeKm[t, route[^1]];
                if (time + _homeTicks[t, route[^1]] > technician.WorkEnd.Ticks)
                {
                    return null;
                }
            }

            // latest[i]: the latest start of stop i that keeps it and every later stop in its window and home by the end.
            for (var i = n - 1; i >= 0; i--)
            {
                var visit = _day.Visits[route[i]];
                var after = i == n - 1
                    ? technician.WorkEnd.Ticks - _homeTicks[t, route[i]]
                    : latest[i + 1] - _visitTicks[route[i], route[i + 1]];
                latest[i] = Math.Min(visit.WindowEnd.Ticks, after - visit.Duration.Ticks);
            }

            var inserted = _day.Visits[v];
            var oldBusyHours = (double)busy / TimeSpan.TicksPerHour;
            var oldCost = km + (_options.LoadWeight * oldBusyHours * oldBusyHours);
            var best = (Position: -1, Delta: double.MaxValue);
            for (var p = 0; p <= n; p++)
            {
                var driveIn = p == 0 ? _homeTicks[t, v] : _visitTicks[route[p - 1], v];
                var start = Math.Max(departs[p] + driveIn, inserted.WindowStart.Ticks);
                if (start > inserted.WindowEnd.Ticks)
                {
                    continue;
                }

                var finish = start + inserted.Duration.Ticks;
                long driveOut, driveSaved;
                double addedKm;
                if (p == n)
                {
                    driveOut = _homeTicks[t, v];
                    if (finish + driveOut > technician.WorkEnd.Ticks)
                    {
                        continue;
                    }

                    driveSaved = n == 0 ? 0 : _homeTicks[t, route[n - 1]];
                    addedKm = (p == 0 ? _homeKm[t, v] : _visitKm[route[p - 1], v]) + _homeKm[t, v] - (n == 0 ? 0 : _homeKm[t, route[n - 1]]);
                }
                else
                {
                    var next = route[p];
                    driveOut = _visitTicks[v, next];
                    if (Math.Max(finish + driveOut, _day.Visits[next].WindowStart.Ticks) > latest[p])
                    {
                        continue;
                    }

                    driveSaved = p == 0 ? _homeTicks[t, next] : _visitTicks[route[p - 1], next];
                    addedKm = (p == 0 ? _homeKm[t, v] : _visitKm[route[p - 1], v]) + _visitKm[v, next] - (p == 0 ? _homeKm[t, next] : _visitKm[route[p - 1], next]);
                }

                var busyHours = (double)(busy + driveIn + inserted.Duration.Ticks + driveOut - driveSaved) / TimeSpan.TicksPerHour;
                var delta = km + addedKm + (_options.LoadWeight * busyHours * busyHours) - oldCost;
                if (delta < best.Delta)
                {
                    best = (p, delta);
                }
            }

            return best;
        }

        internal (int Position, double Delta) DrivenBestPosition(int t, int v, double currentCost, bool allowLate)
        {
            var route = _routes[t];
            var best = (Position: -1, Delta: double.MaxValue);
            for (var p = 0; p <= route.Count; p++)
            {
                route.Insert(p, v);
                var outcome = Simulate(t, route, allowLate);
                route.RemoveAt(p);
                if (outcome.Feasible && Cost(outcome) - currentCost < best.Delta)
                {
                    best = (p, Cost(outcome) - currentCost);
                }
            }

            return best;
        }

        private double Cost(RouteOutcome outcome) =>
            outcome.Feasible
                ? outcome.TravelKm + (_options.LoadWeight * outcome.BusyHours * outcome.BusyHours) + (LatePenaltyKm * outcome.Late)
                : double.MaxValue;

        /// <summary>Drives the route: waits for a window to open, and is infeasible past the working day (or, strict, past a window).</summary>
        public RouteOutcome Simulate(int t, IReadOnlyList<int> route, bool allowLate, List<PlannedStop>? stops = null)
        {
            var technician = _day.Technicians[t];
            var time = technician.WorkStart;
            double km = 0, busy = 0;
            var late = 0;
            for (var i = 0; i < route.Count; i++)
            {
                var visit = _day.Visits[route[i]];
                var leg = i == 0 ? _homeKm[t, route[i]] : _visitKm[route[i - 1], route[i]];
                var drive = _options.TravelTime(leg);
                var arrival = time + drive;
                var start = arrival < visit.WindowStart ? visit.WindowStart : arrival;
                if (technician.Unavailable is { Count: > 0 } blocks)
                {
                    // Neither driving nor working inside a block: leave after it instead.
                    while (blocks.FirstOrDefault(b => time < b.To && start + visit.Duration > b.From) is { To: var free } && free > time)
                    {
                        time = free;
                        arrival = time + drive;
                        start = arrival < visit.WindowStart ? visit.WindowStart : arrival;
                    }
                }

                var inWindow = start <= visit.WindowEnd;
                if (!inWindow && !allowLate)
                {
                    return RouteOutcome.Infeasible;
                }

                late += inWindow ? 0 : 1;
                time = start + visit.Duration;
                km += leg;
                busy += (drive + visit.Duration).TotalHours;
                stops?.Add(new PlannedStop(visit.Id, arrival, start, time, leg, inWindow));
            }

            if (route.Count > 0)
            {
                var back = _homeKm[t, route[^1]];
                km += back;
                if (technician.Unavailable is { Count: > 0 } blocks)
                {
                    while (blocks.FirstOrDefault(b => time < b.To && time + _options.TravelTime(back) > b.From) is { To: var free } && free > time)
                    {
                        time = free;
                    }
                }

                time += _options.TravelTime(back);
                busy += _options.TravelTime(back).TotalHours;
            }

            return time <= technician.WorkEnd ? new RouteOutcome(true, km, busy, late, time) : RouteOutcome.Infeasible;
        }

        public void Assign(int t, int v)
        {
            _routes[t].Add(v);
            _unassigned.Remove(v);
        }

        public bool IsQualified(int t, int v) => _qualified[t, v];

        public double KilometresBetween(int from, int to) => _visitKm[from, to];

        public double KilometresFromHome(int t, int v) => _homeKm[t, v];

        public IReadOnlyList<int> RouteOf(int t) => _routes[t];

        public IReadOnlyCollection<int> Unassigned => _unassigned;

        public DispatchPlan ToPlan(bool explain)
        {
            var routes = new List<TechnicianRoute>();
            for (var t = 0; t < _routes.Length; t++)
            {
                var stops = new List<PlannedStop>();
                var outcome = Simulate(t, _routes[t], allowLate: true, stops);
                routes.Add(new TechnicianRoute(_day.Technicians[t].Id, stops, outcome.TravelKm, outcome.ReturnHome));
            }

            var unassigned = _unassigned.Order().Select(v => new UnassignableVisit(_day.Visits[v].Id, WhyUnassignable(v))).ToList();
            return new DispatchPlan(routes, unassigned, explain ? Explain(routes) : []);
        }

        private List<DispatchExplanation> Explain(List<TechnicianRoute> routes)
        {
            var explanations = new List<DispatchExplanation>();
            for (var t = 0; t < _routes.Length; t++)
            {
                var technician = _day.Technicians[t];
                var full = Simulate(t, _routes[t], allowLate: true);
                for (var i = 0; i < _routes[t].Count; i++)
                {
                    var v = _routes[t][i];
                    var visit = _day.Visits[v];
                    var without = _routes[t].Where((_, k) => k != i).ToList();
                    var added = full.TravelKm - Simulate(t, without, allowLate: true).TravelKm;
                    (int Tech, double Km)? runnerUp = null;
                    for (var other = 0; other < _routes.Length; other++)
                    {
                        if (other == t || !_qualified[other, v])
                        {
                            continue;
                        }

                        var baseKm = Simulate(other, _routes[other], allowLate: true).TravelKm;
                        var (position, _) = BestPosition(other, v, Cost(Simulate(other, _routes[other], allowLate: true)), allowLate: true);
                        if (position < 0)
                        {
                            continue;
                        }

                        var candidate = _routes[other].ToList();
                        candidate.Insert(position, v);
                        var km = Simulate(other, candidate, allowLate: true).TravelKm - baseKm;
                        if (runnerUp is null || km < runnerUp.Value.Km)
                        {
                            runnerUp = (other, km);
                        }
                    }

                    var stop = routes[t].Stops[i];
                    var needs = visit.RequiredSkills.Concat(visit.RequiredCertifications).ToList();
                    var runnerUpText = runnerUp is { } r
                        ? string.Create(CultureInfo.InvariantCulture, $"the next best, {_day.Technicians[r.Tech].Name}, would add {r.Km:0.0} km")
                        : "no other qualified technician has room";
                    var reason = string.Create(CultureInfo.InvariantCulture,
                        $"{technician.Name} {(needs.Count == 0 ? "can do any visit" : "holds " + string.Join(", ", needs))}; arrives {Clock(stop.Start)} {(stop.InWindow ? "inside" : "after")} the window {Clock(visit.WindowStart)}–{Clock(visit.WindowEnd)}; adds {added:0.0} km to the route; {runnerUpText}; {full.BusyHours:0.0} h booked of {(technician.WorkEnd - technician.WorkStart).TotalHours:0.0} h.");
                    explanations.Add(new DispatchExplanation(visit.Id, technician.Id, reason, added,
                        runnerUp is { } ru ? _day.Technicians[ru.Tech].Id : null, runnerUp?.Km));
                }
            }

            return explanations;
        }

        private string WhyUnassignable(int v)
        {
            var visit = _day.Visits[v];
            var skilled = _day.Technicians.Where(t => visit.RequiredSkills.All(t.Skills.Contains)).ToList();
            if (skilled.Count == 0)
            {
                return $"No technician has the skills {string.Join(", ", visit.RequiredSkills)}.";
            }

            if (!skilled.Any(t => Qualifies(t, visit, _day.Date)))
            {
                return string.Create(CultureInfo.InvariantCulture, $"No technician with the skills holds a certification valid on {_day.Date:yyyy-MM-dd} for {string.Join(", ", visit.RequiredCertifications)}.");
            }

            return "No qualified technician has room for it within working hours.";
        }

        private static string Clock(TimeSpan time) => time.ToString(@"hh\:mm", CultureInfo.InvariantCulture);
    }

    internal readonly record struct RouteOutcome(bool Feasible, double TravelKm, double BusyHours, int Late, TimeSpan ReturnHome)
    {
        public static RouteOutcome Infeasible => new(false, 0, 0, 0, TimeSpan.Zero);
    }
}
