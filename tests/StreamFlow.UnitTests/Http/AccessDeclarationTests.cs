using System.Reflection;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;

namespace StreamFlow.UnitTests.Http;

public sealed class AccessDeclarationTests
{
    private static readonly FunctionCatalog Catalog =
        FunctionCatalog.Load(typeof(FunctionsServiceCollectionExtensions).Assembly, Path.Combine(RepositoryPaths.Root, "host.json"));

    [Fact]
    public void Every_http_function_declares_exactly_one_access()
    {
        var undeclared = Catalog.Http
            .Where(function => function.Method.GetCustomAttributes<AccessAttribute>().Count() != 1)
            .Select(function => function.Name);

        Assert.Empty(undeclared);
    }

    [Fact]
    public void Anonymous_access_says_why()
    {
        var unexplained = Catalog.Http
            .Where(function => function.Method.GetCustomAttribute<AnonymousAccessAttribute>() is { Reason.Length: < 10 })
            .Select(function => function.Name);

        Assert.Empty(unexplained);
    }
}
