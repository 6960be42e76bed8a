using System.Collections.Frozen;
using System.Linq.Expressions;
using System.Reflection;
using UserData.Runtime.Grains;

namespace UserData.Runtime.Dispatch;

/// <summary>A grain interface: its type name and its methods, each with a compiled invoker built once.</summary>
internal sealed class GrainInterface
{
    private static readonly Task<object?> CompletedVoid = Task.FromResult<object?>(null);
    private static readonly MethodInfo BuildMethodDefinition =
        typeof(GrainInterface).GetMethod(nameof(BuildTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    private GrainInterface(Type type, string grainType, FrozenDictionary<MethodInfo, GrainMethod> methods)
    {
        Type = type;
        GrainType = grainType;
        Methods = methods;
    }

    public Type Type { get; }

    public string GrainType { get; }

    public FrozenDictionary<MethodInfo, GrainMethod> Methods { get; }

    public static GrainInterface Create(Type interfaceType)
    {
        if (!interfaceType.IsInterface || !typeof(IGrain).IsAssignableFrom(interfaceType) || interfaceType == typeof(IGrain))
        {
            throw new ArgumentException($"{interfaceType.Name} is not a grain interface: it must be an interface that extends IGrain.", nameof(interfaceType));
        }

        var methods = new[] { interfaceType }
            .Concat(interfaceType.GetInterfaces())
            .SelectMany(type => type.GetMethods())
            .ToFrozenDictionary(method => method, Build);
        return new GrainInterface(interfaceType, GrainTypeName(interfaceType), methods);
    }

    private static string GrainTypeName(Type interfaceType)
    {
        if (interfaceType.GetCustomAttribute<GrainTypeAttribute>() is { } attribute)
        {
            return attribute.Name;
        }

        var name = interfaceType.Name;
        if (name.Length > 1 && name[0] == 'I' && char.IsUpper(name[1]))
        {
            name = name[1..];
        }

        if (name.EndsWith("Grain", StringComparison.Ordinal) && name.Length > "Grain".Length)
        {
            name = name[..^"Grain".Length];
        }

        return name.ToLowerInvariant();
    }

    private static GrainMethod Build(MethodInfo method)
    {
        var where = $"{method.DeclaringType?.Name}.{method.Name}";
        if (method.IsGenericMethodDefinition)
        {
            throw new ArgumentException($"Grain method {where} is generic; grain methods must not be.");
        }

        if (method.GetParameters().Any(parameter => parameter.ParameterType.IsByRef))
        {
            throw new ArgumentException($"Grain method {where} has a ref or out parameter; grain methods must not.");
        }

        var grain = Expression.Parameter(typeof(object), "grain");
        var arguments = Expression.Parameter(typeof(object?[]), "arguments");
        var call = Expression.Call(
            Expression.Convert(grain, method.DeclaringType!),
            method,
            method.GetParameters().Select((parameter, index) =>
                Expression.Convert(Expression.ArrayIndex(arguments, Expression.Constant(index)), parameter.ParameterType)));

        var returnType = method.ReturnType;
        if (returnType == typeof(Task))
        {
            var invoke = Expression.Lambda<Func<object, object?[], Task>>(call, grain, arguments).Compile();
            return new GrainMethod<object?>(method, (target, args) => ToVoidResult(invoke(target, args)));
        }

        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            var resultType = returnType.GetGenericArguments()[0];
            var build = BuildMethodDefinition.MakeGenericMethod(resultType);
            return (GrainMethod)build.Invoke(null, [method, call, grain, arguments])!;
        }

        throw new ArgumentException($"Grain method {where} returns {returnType.Name}; grain methods return Task or Task<T>.");
    }

    private static GrainMethod<TResult> BuildTyped<TResult>(
        MethodInfo method, MethodCallExpression call, ParameterExpression grain, ParameterExpression arguments)
    {
        var invoke = Expression.Lambda<Func<object, object?[], Task<TResult>>>(call, grain, arguments).Compile();
        return new GrainMethod<TResult>(method, invoke);
    }

    private static Task<object?> ToVoidResult(Task task)
    {
        return task.IsCompletedSuccessfully ? CompletedVoid : Await(task);

        static async Task<object?> Await(Task task)
        {
            await task.ConfigureAwait(false);
            return null;
        }
    }
}
