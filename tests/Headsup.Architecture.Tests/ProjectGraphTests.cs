using System.Xml.Linq;
using Headsup.Testing;
using Xunit;

namespace Headsup.Architecture.Tests;

/// <summary>
/// The dependency rules of the solution, read from the project files: the inference side (Inputs, Models, Explain,
/// Triage) never reaches training, datasets, the phantom or plotting; dependencies point one way.
/// </summary>
public sealed class ProjectGraphTests
{
    private static readonly string s_src = Path.Combine(TestData.RepoRoot, "src");

    /// <summary>Projects the inference core (what detect and the service load) must never depend on, directly or not.</summary>
    private static readonly string[] s_trainingSide = ["Headsup.Training", "Headsup.Datasets", "Headsup.Phantom", "Headsup.Evaluation.Reports", "Headsup.Cli"];

    /// <summary>Each source project's layer: a project may only depend on projects of a lower layer.</summary>
    private static readonly Dictionary<string, int> s_layers = new(StringComparer.Ordinal)
    {
        ["Headsup.Core"] = 0,
        ["Headsup.Dicom"] = 1,
        ["Headsup.Evaluation"] = 1,
        ["Headsup.Dicom.Codecs"] = 2,
        ["Headsup.Imaging"] = 2,
        ["Headsup.Series"] = 2,
        ["Headsup.Reporting"] = 2,
        ["Headsup.Evaluation.Reports"] = 2,
        ["Headsup.Deidentification"] = 2,
        ["Headsup.Phantom"] = 3,
        ["Headsup.Inputs"] = 3,
        ["Headsup.Models"] = 4,
        ["Headsup.Datasets"] = 4,
        ["Headsup.Explain"] = 5,
        ["Headsup.Triage"] = 6,
        ["Headsup.Training"] = 7,
        ["Headsup.Service"] = 7,
        ["Headsup.Cli"] = 8,
    };

    public static TheoryData<string> InferenceProjects => new() { "Headsup.Inputs", "Headsup.Models", "Headsup.Explain", "Headsup.Triage", "Headsup.Service" };

    [Theory]
    [MemberData(nameof(InferenceProjects))]
    public void Closure_InferenceProject_HasNoTrainingPhantomOrPlotting(string project)
    {
        var closure = Closure(project);
        Assert.Empty(closure.Projects.Intersect(s_trainingSide));
        Assert.DoesNotContain("ScottPlot", closure.Packages);
    }

    [Fact]
    public void Closure_Inputs_HasNoNetworkCode()
    {
        var closure = Closure("Headsup.Inputs");
        Assert.DoesNotContain("Headsup.Models", closure.Projects);
        Assert.DoesNotContain("TorchSharp", closure.Packages);
    }

    [Fact]
    public void Closure_EvaluationAndReporting_HaveNoModelCode()
    {
        foreach (var project in new[] { "Headsup.Evaluation", "Headsup.Evaluation.Reports", "Headsup.Reporting" })
        {
            var closure = Closure(project);
            Assert.DoesNotContain("Headsup.Models", closure.Projects);
            Assert.DoesNotContain("TorchSharp", closure.Packages);
        }
    }

    [Fact]
    public void References_EverySourceProject_PointToALowerLayer()
    {
        var projects = Directory.GetDirectories(s_src).Select(Path.GetFileName).Where(n => File.Exists(Path.Combine(s_src, n!, n + ".csproj"))).ToList();
        Assert.Equal(projects.Order(StringComparer.Ordinal), s_layers.Keys.Order(StringComparer.Ordinal));
        foreach (var project in projects)
        {
            foreach (var reference in References(project!).Projects)
            {
                Assert.True(s_layers[reference] < s_layers[project!], $"{project} (layer {s_layers[project!]}) references {reference} (layer {s_layers[reference]})");
            }
        }
    }

    private static (List<string> Projects, List<string> Packages) References(string project)
    {
        var xml = XDocument.Load(Path.Combine(s_src, project, project + ".csproj"));
        var projects = xml.Descendants("ProjectReference").Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value)).ToList();
        var packages = xml.Descendants("PackageReference").Select(e => e.Attribute("Include")!.Value).ToList();
        return (projects, packages);
    }

    private static (HashSet<string> Projects, HashSet<string> Packages) Closure(string project)
    {
        var projects = new HashSet<string>(StringComparer.Ordinal);
        var packages = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            var (refs, pkgs) = References(current);
            packages.UnionWith(pkgs);
            foreach (var r in refs.Where(projects.Add))
            {
                pending.Push(r);
            }
        }

        return (projects, packages);
    }
}
