namespace Headsup.Datasets.Loading;

/// <summary>Collects problems up to a limit and counts the rest (thread-safe).</summary>
internal sealed class ProblemList(int limit)
{
    private readonly List<DatasetProblem> _items = [];
    private readonly Lock _lock = new();
    private int _dropped;

    public void Add(string file, string message) => Add(new DatasetProblem(file, message));

    public void Add(DatasetProblem problem)
    {
        lock (_lock)
        {
            if (_items.Count < limit)
            {
                _items.Add(problem);
            }
            else
            {
                _dropped++;
            }
        }
    }

    public List<DatasetProblem> Finish(string origin)
    {
        if (_dropped > 0)
        {
            _items.Add(new DatasetProblem(origin, $"{_dropped} more problems not listed (limit {limit})"));
            _dropped = 0;
        }

        return _items;
    }
}
