using System.Reflection;
using Xunit;

namespace Headsup.Triage.Tests;

/// <summary>What the compiled inference core loads: never training, datasets, the phantom or plotting.</summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void ReferencedAssemblies_Triage_ExcludeTrainingPhantomAndPlotting()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>([typeof(StudyTriager).Assembly]);
        while (pending.TryPop(out var assembly))
        {
            foreach (var name in assembly.GetReferencedAssemblies())
            {
                if (name.Name is { } n && seen.Add(n) && n.StartsWith("Headsup.", StringComparison.Ordinal))
                {
                    pending.Push(Assembly.Load(name));
                }
            }
        }

        Assert.Contains("Headsup.Models", seen);
        Assert.Contains("Headsup.Explain", seen);
        foreach (var forbidden in new[] { "Headsup.Training", "Headsup.Datasets", "Headsup.Phantom", "Headsup.Evaluation.Reports", "ScottPlot" })
        {
            Assert.DoesNotContain(forbidden, seen);
        }
    }
}
